"""HR's audit log: who did what, searchable, and exportable as CSV."""
