"""The incident log's pure domain: events, commands, the incident and review deciders."""
