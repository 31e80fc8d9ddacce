"""One package per service, all the same shape (see README "Adding a service")."""

SERVICES: tuple[str, ...] = ("directory", "agreement", "capture", "incident", "sanction",
                             "compliance", "reporting")
"""Every domain service, in start order. The gateway is not listed: it owns no events."""
