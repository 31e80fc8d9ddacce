"""Reporting: the headteacher's monthly report, the governors' termly report, the LA overview
and emerging risks, all computed from a fact table of its own fed by every service's events."""
