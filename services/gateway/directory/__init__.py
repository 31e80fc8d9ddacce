"""The directory feature of the schema: schools and people."""
