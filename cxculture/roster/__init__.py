"""HR brings people in from the HR system's export: upload, preview, apply."""
