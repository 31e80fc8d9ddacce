"""The audit trail and subject access requests: GraphQL, the bundle and its download."""
