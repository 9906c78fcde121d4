"""Pure scoring: plain data in, plain data out; nothing here imports Flask or the database."""
