"""Client of a one-stop dossier system (hệ thống thông tin giải quyết TTHC)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import httpx

from motcua.feeds.http import get_json


@dataclass(frozen=True)
class FeedItem:
    """One record as received: decoded if it parsed, and its exact text for quarantine."""

    raw_text: str
    payload: dict | None


class OneStopClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0, page_size: int = 500) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout)
        self._page_size = page_size

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OneStopClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def units(self, on: date) -> list[dict]:
        """Units with a one-stop department operating on ``on``."""
        return get_json(self._client, "/v1/units", {"on": on.isoformat()})["items"]

    def dossiers(
        self, unit_code: str, updated_since: datetime, updated_until: datetime
    ) -> Iterator[FeedItem]:
        """Every dossier record of ``unit_code`` changed in the interval, page by page."""
        params: dict = {
            "updated_since": updated_since.isoformat(),
            "updated_until": updated_until.isoformat(),
            "limit": self._page_size,
        }
        while True:
            page = get_json(self._client, f"/v1/units/{unit_code}/dossiers", params)
            for item in page.get("items", []):
                if isinstance(item, dict):
                    yield FeedItem(json.dumps(item, ensure_ascii=False, sort_keys=True), item)
                else:
                    yield FeedItem(json.dumps(item, ensure_ascii=False), None)
            cursor = page.get("next_cursor")
            if not cursor:
                return
            params = {**params, "cursor": cursor}
