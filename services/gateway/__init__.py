"""The GraphQL gateway: authentication, the fast authorisation deny, RPC to the services."""
