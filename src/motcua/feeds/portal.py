"""Client of the national public service portal's evaluation service (Cổng DVC quốc gia).

Returns, per province and period, one record per child unit with the Decision 766 scores.
Motcua adds the request's parameters to each record as ``_province``, ``_period_type`` and
``_period`` (the portal leaves them implicit), so a record in the raw layer is self-describing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from motcua.feeds.http import envelope_list, get_json
from motcua.landing.items import FeedItem


class PortalClient:
    def __init__(self, base_url: str, *, timeout: float = 60.0, transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluations(self, province: str, period_type: str, period: str) -> Iterator[FeedItem]:
        """Every child unit's evaluation record for the province and period."""
        body = get_json(
            self._client,
            "/v1/portal/evaluations",
            {"province": province, "period_type": period_type, "period": period},
        )
        where = f"GET /v1/portal/evaluations?province={province}&period={period}"
        for record in envelope_list(body, "data", where):
            if isinstance(record, dict):
                record = {**record, "_province": province, "_period_type": period_type, "_period": period}
                yield FeedItem(json.dumps(record, ensure_ascii=False, sort_keys=True), record)
            else:
                yield FeedItem(json.dumps(record, ensure_ascii=False), None)
