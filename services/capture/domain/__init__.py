"""The capture service's pure domain: events, commands, deciders, triage. No I/O."""
