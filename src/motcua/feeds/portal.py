"""Client of the national public service portal's evaluation API (Cổng DVC quốc gia, đánh giá 766).

The portal answers ``POST /api/v1/reporting/evaluation/<endpoint>`` with HTTP 201 and
``{code: "OK", data: {...}, message: "OK"}``. A province's evaluation takes seven calls, one per
endpoint (see :mod:`motcua.scoring.portal_sources`), each with the body ``{timeType, year,
month | quarter, pageSize, currentPage, rootDepartmentId}``. The root is the portal's internal id
of the province: the client finds it once, in the national view of ``service-results``
(``departmentType: "ADMINISTRATIVE_UNIT"``), by the province's code (``H41``).

Paged endpoints (``pagination.totalPages``) are read page by page; the client waits
``min_interval`` seconds between requests (the portal is a public service, not a bulk API), and
retries 429 and 5xx with backoff (:func:`motcua.feeds.http.request_json`).

:meth:`PortalClient.evaluations` yields one record per unit, and one for the province's own node,
in the child-unit shape the parser reads; Motcua adds the request's parameters as ``_province``,
``_period_type`` and ``_period`` (the portal leaves them implicit), and the day the scores stand
at as ``_as_of``, so a record in the raw layer is self-describing. The portal keeps no history
(a running period's scores change every day): ``_as_of`` is what tells two snapshots apart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx

from motcua.domain import TIME_ZONE_NAME
from motcua.feeds.http import FeedError, request_json
from motcua.landing.items import FeedItem

API_PATH = "/api/v1/reporting/evaluation"
NATIONAL_DEPARTMENT_TYPE = "ADMINISTRATIVE_UNIT"
#: The day the evaluation stands at. The real portal answers as of the moment of the request and
#: ignores this header; the simulator, which has no "now", evaluates a running period through it.
AS_OF_HEADER = "X-Simulated-As-Of"
#: Units per page: a province has at most a few hundred units, so one page usually holds them all.
PAGE_SIZE = 300


def period_body(period_type: str, period: str) -> dict:
    """The body's period fields: ``{timeType: "month", year: 2025, month: 7}`` for ``2025-07``."""
    from motcua.landing.contracts import period_first_day

    first = period_first_day(period)
    if period_type == "year":
        return {"timeType": "year", "year": first.year}
    if period_type == "quarter":
        return {"timeType": "quarter", "year": first.year, "quarter": (first.month - 1) // 3 + 1}
    if period_type == "month":
        return {"timeType": "month", "year": first.year, "month": first.month}
    raise ValueError(f"period_type must be year, quarter or month, got {period_type!r}")


def feed_item(record: dict, province: str, period_type: str, period: str, as_of: date | None) -> FeedItem:
    """A portal record as Motcua lands it: with the request's parameters, which the portal leaves
    implicit, and (when known) the day its figures stand at, so that it is self-describing in raw."""
    added = {"_province": province, "_period_type": period_type, "_period": period}
    if as_of is not None:
        added["_as_of"] = as_of.isoformat()
    record = {**record, **added}
    return FeedItem(json.dumps(record, ensure_ascii=False, sort_keys=True), record)


class PortalClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        page_size: int = PAGE_SIZE,
        min_interval: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._page_size = page_size
        self._min_interval = min_interval
        self._sleep = sleep
        self._last_request = 0.0
        self._roots: dict[tuple[str, str], str] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, endpoint: str, body: dict) -> object:
        wait = self._last_request + self._min_interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        try:
            return request_json(self._client, "POST", f"{API_PATH}/{endpoint}", body=body, sleep=self._sleep)
        finally:
            self._last_request = time.monotonic()

    def _stand_at(self, as_of: date | None) -> None:
        if as_of is None:
            self._client.headers.pop(AS_OF_HEADER, None)
        else:
            self._client.headers[AS_OF_HEADER] = as_of.isoformat()

    def root_department_id(self, province: str, period_type: str, period: str) -> str:
        """The portal's id of the province (its ``rootDepartmentId``), from the national view."""
        key = (province, period)
        if key not in self._roots:
            body = {**period_body(period_type, period), "pageSize": self._page_size, "currentPage": 1}
            answer = self._post("service-results", {**body, "departmentType": NATIONAL_DEPARTMENT_TYPE})
            provinces = _data(answer, "service-results (national view)").get("evaluation")
            if not isinstance(provinces, list):
                raise FeedError("the portal's national view of service-results has no evaluation list")
            codes = {p.get("departmentCode"): p.get("departmentId") for p in provinces if isinstance(p, dict)}
            if not codes.get(province):
                known = ", ".join(sorted(str(code) for code in codes if code)) or "none"
                raise FeedError(f"the portal's national view lists no province {province!r} (it lists {known})")
            self._roots[key] = str(codes[province])
        return self._roots[key]

    def responses(self, province: str, period_type: str, period: str, as_of: date | None = None) -> dict[str, dict]:
        """The seven endpoints' answers for the province and period, every page merged."""
        from motcua.scoring.portal_sources import API_ENDPOINTS

        self._stand_at(as_of)
        root = self.root_department_id(province, period_type, period)
        body = {**period_body(period_type, period), "pageSize": self._page_size, "rootDepartmentId": root}
        return {endpoint: self._all_pages(endpoint, body) for endpoint in API_ENDPOINTS}

    def _all_pages(self, endpoint: str, body: dict) -> dict:
        first = self._post(endpoint, {**body, "currentPage": 1})
        data = _data(first, endpoint)
        pagination = data.get("pagination")
        if not isinstance(pagination, dict) or (pagination.get("totalPages") or 1) <= 1:
            return first  # type: ignore[return-value]
        items = list(data.get("evaluation") or [])
        for page in range(2, int(pagination["totalPages"]) + 1):
            items.extend(_data(self._post(endpoint, {**body, "currentPage": page}), endpoint).get("evaluation") or [])
        if len(items) != pagination.get("total", len(items)):
            raise FeedError(f"{endpoint}: pagination says {pagination.get('total')} units, the pages held {len(items)}")
        merged = {**data, "evaluation": items, "pagination": {**pagination, "currentPage": 1, "totalPages": 1}}
        return {**first, "data": merged}  # type: ignore[dict-item]

    def evaluations(
        self, province: str, period_type: str, period: str, as_of: date | None = None
    ) -> Iterator[FeedItem]:
        """Every unit's evaluation record (and the province's own node) for the province and period,
        as the portal shows them on ``as_of`` (default: today in Vietnam, the portal being real time)."""
        from motcua.scoring.portal_sources import assemble_api_records

        day = as_of or datetime.now(ZoneInfo(TIME_ZONE_NAME)).date()
        for record in assemble_api_records(self.responses(province, period_type, period, as_of)):
            yield feed_item(record, province, period_type, period, day)


def _data(answer: object, where: str) -> dict:
    """The ``data`` of an answer, or a FeedError naming what the answer lacks."""
    if not isinstance(answer, dict):
        raise FeedError(f"portal {where}: expected a JSON object, got {type(answer).__name__}")
    if answer.get("code") != "OK":
        raise FeedError(f"portal {where}: code {answer.get('code')!r}, message {answer.get('message')!r}")
    data = answer.get("data")
    if not isinstance(data, dict):
        raise FeedError(f"portal {where}: the answer has no data object (its keys: {', '.join(sorted(answer))})")
    return data
