"""Clients of the source systems. They speak the feed contract (docs/feed_contract.md) only."""
