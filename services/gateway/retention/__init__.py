"""GraphQL for retention: the LA's policy and schools' overrides (compliance), and the purge
and its log in each service that purges (capture, incident)."""
