"""The session feature of the schema: sign in, and who am I."""
