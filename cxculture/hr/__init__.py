"""HR's pages: the whole company."""
