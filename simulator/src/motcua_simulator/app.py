"""The simulator's HTTP service: the source systems' feeds (OpenAPI at ``/openapi.json``).

Feeds (docs/feed_contract.md): units, dossiers (hồ sơ), procedure catalogue (danh mục TTHC),
satisfaction ratings (đánh giá hài lòng), e-office documents (văn bản). Every feed follows the
same conventions: ``updated_since``/``updated_until`` half-open interval with a UTC offset,
cursor pagination, versioned records. Optional fault switches (:class:`FaultConfig`), fixture
mode (serve a folder of JSON files) and ground truth (``app.state.truth``, ``/v1/_truth``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from motcua_simulator import models
from motcua_simulator.clock import TABLE_END, TABLE_START
from motcua_simulator.dossiers import VN_TZ, SimulationProfile
from motcua_simulator.faults import FaultConfig, FaultInjector
from motcua_simulator.fixtures import FixtureStore
from motcua_simulator.portal import portal_router
from motcua_simulator.portal_api import portal_api_router
from motcua_simulator.reference import all_units, units_on
from motcua_simulator.sources import (
    SOURCES,
    UNIT_GENERATORS,
    interval_records,
    procedure_entities,
    record_key,
)
from motcua_simulator.truth import GroundTruth

MAX_PAGE = 1000
CACHE_INTERVALS = 256
# The simulated systems hold the changes of [SIMULATED_FROM, SIMULATED_UNTIL): generation counts
# office time with a table of 2010-2040 (motcua_simulator.clock), and a dossier keeps changing
# for months after its receipt. An interval reaching beyond is served as far as it overlaps.
SIMULATED_FROM = datetime.combine(TABLE_START.replace(year=TABLE_START.year + 1), time(0), VN_TZ)
SIMULATED_UNTIL = datetime.combine(TABLE_END.replace(year=TABLE_END.year - 1), time(0), VN_TZ)
# Bounds that keep any moment convertible to Vietnam time (no year 0 or 10000).
_FAR_PAST = datetime(1, 1, 2, tzinfo=UTC)
_FAR_FUTURE = datetime(9999, 12, 30, tzinfo=UTC)

# Dates and timestamps as the contract writes them (ISO 8601 / RFC 3339). Without these checks
# pydantic would also read other spellings, e.g. "0" as 1970-01-01 (a Unix time).
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


def _iso_date_text(value: object) -> object:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date YYYY-MM-DD")
    return value


def _iso_timestamp_text(value: object) -> object:
    if isinstance(value, str) and not _ISO_TIMESTAMP.fullmatch(value):
        raise ValueError("expected an ISO 8601 timestamp with offset, e.g. 2025-06-01T00:00:00+07:00")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
IsoTimestamp = Annotated[datetime, BeforeValidator(_iso_timestamp_text)]
SinceParam = Annotated[
    IsoTimestamp,
    Query(
        description="cập nhật từ - start of the half-open interval, with offset",
        examples=["2025-06-30T00:00:00+07:00"],
    ),
]
UntilParam = Annotated[
    IsoTimestamp,
    Query(
        description="cập nhật đến - end of the interval (exclusive), with offset",
        examples=["2025-07-01T00:00:00+07:00"],
    ),
]
CursorParam = Annotated[str | None, Query(description="con trỏ - opaque cursor from the previous page")]
LimitParam = Annotated[int, Query(ge=1, le=MAX_PAGE, description="số bản ghi mỗi trang - page size")]
UnitParam = Annotated[
    str, PathParam(description="mã đơn vị - GSO code, or a province agency's H41.nn", examples=["430"])
]

# What the routes answer besides 200 (docs/feed_contract.md), for the OpenAPI description.
_BAD_CURSOR = {400: {"model": models.ErrorMessage, "description": "invalid cursor, or a cursor of another interval"}}
_NO_UNIT = {404: {"model": models.ErrorMessage, "description": "no one-stop system for the unit (fixtures: no files)"}}
_INVALID = {
    422: {
        "model": models.ValidationFailure,
        "description": "invalid parameters: a timestamp without a UTC offset, updated_since not before updated_until",
    }
}
_TRANSIENT = {
    429: {
        "model": models.ErrorMessage,
        "description": "too many requests (fault switch rate_limit); retry after Retry-After seconds",
        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    },
    500: {"model": models.ErrorMessage, "description": "server error (fault switch server_error); retry"},
}


def _encode_cursor(offset: int, since: str, until: str, dup: int | None = None) -> str:
    payload = [offset, since, until] if dup is None else [offset, since, until, dup]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str, str, int | None]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        offset, since, until = parts[:3]
        dup = int(parts[3]) if len(parts) > 3 else None
        return int(offset), since, until, dup
    except (ValueError, TypeError, IndexError) as err:
        raise HTTPException(status_code=400, detail="invalid cursor") from err


def _vn_date(moment: datetime) -> date:
    """The day of ``moment`` in Vietnam, for any moment (the first and last days of the calendar stand in)."""
    return min(max(moment, _FAR_PAST), _FAR_FUTURE).astimezone(VN_TZ).date()


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise HTTPException(status_code=422, detail=f"{name} needs a UTC offset, e.g. 2025-06-01T00:00:00+07:00")
    return value


def create_app(
    profile: SimulationProfile | None = None,
    unit_codes: set[str] | None = None,
    *,
    faults: FaultConfig | None = None,
    fixtures_dir: Path | str | None = None,
    truth: GroundTruth | None = None,
) -> FastAPI:
    """Build the service.

    Args:
        profile: volumes, rates and seed of the generated data.
        unit_codes: limit which units have a one-stop system (demo, tests); None = all.
        faults: fault switches, all off by default.
        fixtures_dir: serve the JSON files of this folder instead of generated data.
        truth: where to record what is served (a new :class:`GroundTruth` by default);
            available as ``app.state.truth``.
    """
    profile = profile or SimulationProfile()
    faults = faults or FaultConfig()
    injector = FaultInjector(faults, profile.seed)
    store = FixtureStore(Path(fixtures_dir)) if fixtures_dir is not None else None
    truth = truth if truth is not None else GroundTruth()
    for source, model in (
        ("dossiers", models.Dossier),
        ("procedures", models.Procedure),
        ("ratings", models.Rating),
        ("documents", models.Document),
    ):
        truth.learn_fields(source, set(model.model_fields))
    by_code = {u.code + ":" + str(u.valid_from): u for u in all_units()}
    cache: OrderedDict[tuple, list] = OrderedDict()
    cache_lock = threading.Lock()

    app = FastAPI(
        title="Motcua source simulator (hệ thống nguồn mô phỏng)",
        version="2",
        description=(
            "Simulated source systems of Nghe An's one-stop departments (bộ phận một cửa): the dossier "
            "system (hệ thống thông tin giải quyết TTHC), the procedure catalogue (danh mục TTHC), "
            "satisfaction ratings (đánh giá hài lòng) and e-office documents (văn bản điện tử). "
            "See docs/feed_contract.md and docs/simulator.md."
        ),
    )
    app.state.truth = truth
    app.state.faults = injector
    app.state.profile = profile
    # The national portal's evaluation service (Decision 766 scores), consistent with the dossiers.
    app.include_router(portal_router(profile, unit_codes=unit_codes, fixtures_dir=fixtures_dir))
    # The same evaluation through the portal's real API (seven POST endpoints, HTTP 201).
    app.include_router(portal_api_router(profile, unit_codes=unit_codes))

    def visible(code: str) -> bool:
        return unit_codes is None or code in unit_codes

    def http_faults(request: Request) -> None:
        key = request.url.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.query_params.items()))
        outcome = injector.http_fault(key)
        if outcome is not None:
            status, headers = outcome
            detail = "quá nhiều yêu cầu - too many requests" if status == 429 else "lỗi máy chủ - server error"
            raise HTTPException(status_code=status, detail=detail, headers=headers or None)

    def interval_items(source: str, unit_code: str | None, since: datetime, until: datetime) -> list:
        cache_key = (source, unit_code, since.isoformat(), until.isoformat())
        with cache_lock:
            if cache_key in cache:
                cache.move_to_end(cache_key)
                return cache[cache_key]
        lag = injector.lag_function(source)
        invalid: list = []
        if store is not None:
            if unit_code is not None and unit_code not in store.unit_codes():
                raise HTTPException(status_code=404, detail=f"no fixtures for unit {unit_code}")
            entities, invalid = store.entities(source, unit_code)
            rows = interval_records(entities, since, until, lag)
        elif unit_code is None:
            rows = interval_records(procedure_entities(), since, until, lag)
        else:
            first_day = _vn_date(since)
            last_day = _vn_date(until - timedelta(microseconds=1))
            units = [
                u
                for u in by_code.values()
                if u.code == unit_code
                and visible(u.code)
                and (u.valid_from is None or u.valid_from <= last_day)
                and (u.valid_to is None or first_day < u.valid_to)
            ]
            if not units:
                raise HTTPException(status_code=404, detail=f"no one-stop system for unit {unit_code}")
            rows = []
            lo, hi = max(since, SIMULATED_FROM), min(until, SIMULATED_UNTIL)
            for unit in units if lo < hi else ():
                rows.extend(interval_records(UNIT_GENERATORS[source](unit, lo, hi, profile), lo, hi, lag))
            rows.sort(key=lambda r: (r[0], r[1]))
        items: list = []
        for _, key, record in rows:
            items.append(injector.drift(source, key, record))
            bad = injector.malformed_after(source, key, record)
            if bad is not None:
                items.append(bad)
                injector.count("malformed")
        items.extend(invalid)
        interval_key = f"{source}:{unit_code}:{since.isoformat()}:{until.isoformat()}"
        if injector.page_draw("shuffle_across_pages", interval_key):
            items = injector.shuffle(items, interval_key)
            injector.count("shuffle_across_pages")
        with cache_lock:
            cache[cache_key] = items
            while len(cache) > CACHE_INTERVALS:
                cache.popitem(last=False)
        return items

    def serve(
        source: str,
        unit_code: str | None,
        updated_since: datetime,
        updated_until: datetime,
        cursor: str | None,
        limit: int,
    ) -> JSONResponse:
        since, until = _aware(updated_since, "updated_since"), _aware(updated_until, "updated_until")
        if since >= until:
            raise HTTPException(status_code=422, detail="updated_since must be before updated_until")
        offset, dup = 0, None
        if cursor:
            offset, c_since, c_until, dup = _decode_cursor(cursor)
            if (c_since, c_until) != (since.isoformat(), until.isoformat()):
                raise HTTPException(status_code=400, detail="cursor belongs to another interval")
        items = interval_items(source, unit_code, since, until)
        interval_key = f"{source}:{unit_code}:{since.isoformat()}:{until.isoformat()}"
        page = items[offset : offset + limit]
        if len(page) > 1 and injector.page_draw("shuffle_within_page", interval_key, offset):
            page = injector.shuffle(page, interval_key, offset)
            injector.count("shuffle_within_page")
        next_offset = offset + len(page)
        next_cursor = None
        if page and dup != offset and injector.page_draw("duplicate_page", interval_key, offset):
            next_cursor = _encode_cursor(offset, since.isoformat(), until.isoformat(), dup=offset)
            injector.count("duplicate_page")
        elif next_offset < len(items):
            if len(page) > 1 and injector.page_draw("overlapping_pages", interval_key, offset):
                next_offset -= min(faults.overlap_items, len(page) - 1)
                injector.count("overlapping_pages")
            next_cursor = _encode_cursor(next_offset, since.isoformat(), until.isoformat())
        truth.record_page(source, unit_code, page, served_until=until)
        return JSONResponse({"items": page, "total": len(items), "next_cursor": next_cursor})

    @app.get("/health", summary="Tình trạng - health", response_model=models.Health)
    def health() -> dict:
        return {
            "status": "ok",
            "seed": profile.seed,
            "scale": profile.scale,
            "mode": "fixtures" if store is not None else "generated",
            "faults": faults.enabled,
        }

    @app.get(
        "/v1/units",
        response_model=models.UnitList,
        summary="Đơn vị - units with a one-stop department",
        responses={**_INVALID, **_TRANSIENT},
    )
    def list_units(
        request: Request,
        on: Annotated[
            IsoDate, Query(description="ngày - day whose operating units are listed", examples=["2025-06-30"])
        ],
    ) -> dict:
        """Units (đơn vị) with a one-stop department on the day: districts only before 1 July 2025."""
        http_faults(request)
        if store is not None:
            return {"items": store.units_on(on)}
        return {
            "items": [
                {"unit_code": u.code, "name": u.full_name, "level": u.level, "parent_code": u.parent_code}
                for u in units_on(on)
                if visible(u.code)
            ]
        }

    @app.get(
        "/v1/units/{unit_code}/dossiers",
        summary="Hồ sơ - dossiers changed in the interval",
        responses={200: {"model": models.DossierPage}, **_BAD_CURSOR, **_NO_UNIT, **_INVALID, **_TRANSIENT},
    )
    def list_dossiers(
        request: Request,
        unit_code: UnitParam,
        updated_since: SinceParam,
        updated_until: UntilParam,
        cursor: CursorParam = None,
        limit: LimitParam = 500,
    ) -> JSONResponse:
        """Dossiers (hồ sơ) of the unit whose last change is in [updated_since, updated_until),
        each at its state as of the end of the interval. Key ``dossier_code``."""
        http_faults(request)
        return serve("dossiers", unit_code, updated_since, updated_until, cursor, limit)

    @app.get(
        "/v1/units/{unit_code}/ratings",
        summary="Đánh giá hài lòng - satisfaction ratings",
        responses={200: {"model": models.RatingPage}, **_BAD_CURSOR, **_NO_UNIT, **_INVALID, **_TRANSIENT},
    )
    def list_ratings(
        request: Request,
        unit_code: UnitParam,
        updated_since: SinceParam,
        updated_until: UntilParam,
        cursor: CursorParam = None,
        limit: LimitParam = 500,
    ) -> JSONResponse:
        """Satisfaction ratings (đánh giá mức độ hài lòng) of the unit's dossiers changed in the
        interval. Key ``rating_id``."""
        http_faults(request)
        return serve("ratings", unit_code, updated_since, updated_until, cursor, limit)

    @app.get(
        "/v1/units/{unit_code}/documents",
        summary="Văn bản đến/đi - e-office documents",
        responses={200: {"model": models.DocumentPage}, **_BAD_CURSOR, **_NO_UNIT, **_INVALID, **_TRANSIENT},
    )
    def list_documents(
        request: Request,
        unit_code: UnitParam,
        updated_since: SinceParam,
        updated_until: UntilParam,
        cursor: CursorParam = None,
        limit: LimitParam = 500,
    ) -> JSONResponse:
        """Incoming and outgoing documents (văn bản đến, văn bản đi) of the unit's e-office system
        changed in the interval. Key ``document_id``."""
        http_faults(request)
        return serve("documents", unit_code, updated_since, updated_until, cursor, limit)

    @app.get(
        "/v1/procedures",
        summary="Danh mục TTHC - procedure catalogue",
        responses={200: {"model": models.ProcedurePage}, **_BAD_CURSOR, **_INVALID, **_TRANSIENT},
    )
    def list_procedures(
        request: Request,
        updated_since: SinceParam,
        updated_until: UntilParam,
        cursor: CursorParam = None,
        limit: LimitParam = 500,
    ) -> JSONResponse:
        """Procedure catalogue records (thủ tục hành chính) changed in the interval, at their state
        as of the end of it. Key ``procedure_code`` + ``authority_level``."""
        http_faults(request)
        return serve("procedures", None, updated_since, updated_until, cursor, limit)

    @app.get(
        "/v1/_truth/{source}",
        response_model=models.Truth,
        summary="Dữ liệu chuẩn đối chiếu - ground truth of what was served",
        responses={404: {"model": models.ErrorMessage, "description": "unknown source"}, **_INVALID},
    )
    def ground_truth(
        source: Annotated[str, PathParam(description="dossiers | procedures | ratings | documents")],
        unit_code: Annotated[str | None, Query(description="mã đơn vị - limit to one unit")] = None,
        as_of: Annotated[datetime | None, Query(description="only records updated before this moment")] = None,
    ) -> dict:
        """For each key, the latest version served (what a correct extractor holds), and every
        malformed item served (what it must have quarantined). Never faulty."""
        if source not in SOURCES:
            raise HTTPException(status_code=404, detail=f"unknown source {source}; one of {', '.join(SOURCES)}")
        if as_of is not None:
            _aware(as_of, "as_of")
        report = truth.report(source, unit_code, as_of)
        report["faults"] = dict(injector.counts)
        return report

    return app


__all__ = ["FaultConfig", "GroundTruth", "SimulationProfile", "create_app", "record_key"]
