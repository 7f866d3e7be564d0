"""Accounts: users, organizations, memberships and roles, sessions, member verification."""
