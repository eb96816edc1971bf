"""Motcua: a data warehouse for Vietnam's one-stop (một cửa) administrative services."""

__version__ = "0.1.0"
