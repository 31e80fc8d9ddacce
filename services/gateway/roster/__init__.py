"""The roster feature: integrator API keys and the MIS roster sync (GraphQL and OneRoster)."""
