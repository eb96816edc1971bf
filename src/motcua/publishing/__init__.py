"""Publishing: expose validated marts to BI through the documented ``published`` schema."""
