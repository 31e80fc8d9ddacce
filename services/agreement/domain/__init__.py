"""The agreement service's pure domain: events, commands, deciders. Imports nothing from I/O."""
