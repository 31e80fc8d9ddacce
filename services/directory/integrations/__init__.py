"""What integrators reach: API keys (issue, revoke, verify) and the MIS roster sync."""
