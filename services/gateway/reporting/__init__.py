"""GraphQL for the reporting service, and the report downloads."""
