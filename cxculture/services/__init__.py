"""Use cases over the database, one module per area; each entry point owns its transaction."""
