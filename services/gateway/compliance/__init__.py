"""GraphQL for the compliance service: the DfE filtering and monitoring standards, policy."""
