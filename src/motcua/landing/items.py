"""What landing takes in: one record as a source served it, parsed or not, with its exact bytes.

Feed clients and the spreadsheet reader produce these; ``landing.loader.load_batch`` keys,
checks and lands them, or quarantines them with their bytes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeedItem:
    """One record as received: decoded if it parsed, and its exact text for quarantine."""

    raw_text: str
    payload: dict | None
    #: Why the extractor could not build a record from the item (kept for quarantine).
    reason: str | None = None
    #: The exact bytes received, when they are not ``raw_text`` in UTF-8 (legacy-encoded files).
    raw_bytes: bytes | None = None

    def original_bytes(self) -> bytes:
        return self.raw_bytes if self.raw_bytes is not None else self.raw_text.encode()
