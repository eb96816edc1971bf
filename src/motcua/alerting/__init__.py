"""Alerts: recorded in ``ops.alerts`` and sent to the configured channels."""
