"""Employees taking micro-training modules."""
