"""The entry page for every person, their own space, and the language switch."""
