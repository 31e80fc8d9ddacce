"""The directory's pure domain: events, commands, deciders. Imports nothing from I/O."""
