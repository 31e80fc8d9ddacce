"""The sanctions matrices and actions through GraphQL: each resolver is one RPC to the
sanction service."""
