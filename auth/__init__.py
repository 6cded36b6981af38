"""Who may use the dashboard and what they did: roles, sign-in sessions and the audit log."""
