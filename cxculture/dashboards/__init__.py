"""Department heads' pages: the departments they lead."""
