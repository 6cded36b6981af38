"""The synthetic demo council and its neighbours: fictional data that says it is fictional."""
