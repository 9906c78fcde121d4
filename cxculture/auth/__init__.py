"""Logging in and out, and the person's own account."""
