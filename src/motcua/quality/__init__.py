"""Validation of the warehouse before anything is published (Great Expectations 1.x)."""
