"""HR managing questionnaires: versions and their items."""
