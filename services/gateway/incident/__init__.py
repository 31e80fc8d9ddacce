"""The incident log through GraphQL: each resolver is one RPC to the incident service."""
