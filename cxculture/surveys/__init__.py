"""Employees answering surveys."""
