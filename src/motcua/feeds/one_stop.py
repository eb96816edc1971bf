"""Client of a one-stop dossier system (hệ thống thông tin giải quyết TTHC)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

import httpx

from motcua.failpoints import failpoint
from motcua.feeds.http import FeedError, envelope_list, get_json
from motcua.landing.items import FeedItem


class OneStopClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        backoff_seconds: float = 0.5,
        page_size: int = 500,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._page_size = page_size
        self._backoff = backoff_seconds

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OneStopClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def units(self, on: date) -> list[dict]:
        """Units with a one-stop department operating on ``on``."""
        page = get_json(self._client, "/v1/units", {"on": on.isoformat()}, backoff_seconds=self._backoff)
        units = envelope_list(page, "items", f"GET /v1/units?on={on}")
        for unit in units:
            if not isinstance(unit, dict) or not isinstance(unit.get("unit_code"), str):
                raise FeedError(f"GET /v1/units?on={on}: a unit without a unit_code: {json.dumps(unit)[:200]}")
        return units

    def dossiers(self, unit_code: str, updated_since: datetime, updated_until: datetime) -> Iterator[FeedItem]:
        """Dossiers (hồ sơ) of ``unit_code`` changed in the interval, page by page."""
        return self.changed(f"/v1/units/{unit_code}/dossiers", updated_since, updated_until)

    def ratings(self, unit_code: str, updated_since: datetime, updated_until: datetime) -> Iterator[FeedItem]:
        """Satisfaction ratings (đánh giá hài lòng) of the unit's dossiers changed in the interval."""
        return self.changed(f"/v1/units/{unit_code}/ratings", updated_since, updated_until)

    def documents(self, unit_code: str, updated_since: datetime, updated_until: datetime) -> Iterator[FeedItem]:
        """E-office documents (văn bản) of the unit changed in the interval."""
        return self.changed(f"/v1/units/{unit_code}/documents", updated_since, updated_until)

    def procedures(self, updated_since: datetime, updated_until: datetime) -> Iterator[FeedItem]:
        """Procedure catalogue records (danh mục TTHC) changed in the interval."""
        return self.changed("/v1/procedures", updated_since, updated_until)

    def changed(self, path: str, updated_since: datetime, updated_until: datetime) -> Iterator[FeedItem]:
        """Every record at ``path`` changed in ``[updated_since, updated_until)``, following cursors."""
        params: dict = {
            "updated_since": updated_since.isoformat(),
            "updated_until": updated_until.isoformat(),
            "limit": self._page_size,
        }
        while True:
            page = get_json(self._client, path, params, backoff_seconds=self._backoff)
            where = f"GET {path}" + (" (next page)" if "cursor" in params else "")
            for item in envelope_list(page, "items", where):
                # Canonical text (sorted keys): the same item always has the same bytes in quarantine.
                text = json.dumps(item, ensure_ascii=False, sort_keys=True)
                yield FeedItem(text, item if isinstance(item, dict) else None)
            failpoint("feeds.page_read")
            cursor = page.get("next_cursor")
            if cursor is None or cursor == "":
                return
            if not isinstance(cursor, str):
                raise FeedError(f"{where}: next_cursor must be a string or null, got {json.dumps(cursor)[:80]}")
            params = {**params, "cursor": cursor}
