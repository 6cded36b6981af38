"""People for tests: one of each role, and an analyst by any name for tests that tell two apart."""
from auth.roles import Actor

VIEWER = Actor("viewer@anyshire.example", "viewer")
ANALYST = Actor("analyst@anyshire.example", "analyst")
ADMIN = Actor("admin@anyshire.example", "admin")


def analyst(email: str) -> Actor:
    return Actor(email, "analyst")
