"""Accounts: application, in-person verification, roles, sign-in."""
