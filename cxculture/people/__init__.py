"""HR's pages for the organisation: people and the department tree."""
