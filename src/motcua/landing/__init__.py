"""The landing (raw) layer: append-only payload tables, the batch ledger, quarantine."""
