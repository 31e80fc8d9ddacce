"""Reporting's pure domain: report facts, periods, the report computations, issued reports."""
