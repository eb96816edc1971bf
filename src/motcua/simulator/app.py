"""The simulator's HTTP service: the one-stop dossier feed (OpenAPI at ``/openapi.json``)."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta

from fastapi import FastAPI, HTTPException, Query

from motcua.reference import all_units, units_on
from motcua.simulator.dossiers import VN_TZ, SimulationProfile, records_updated

MAX_PAGE = 1000


def _encode_cursor(offset: int, since: str, until: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([offset, since, until]).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str, str]:
    try:
        offset, since, until = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(offset), since, until
    except (ValueError, TypeError) as err:
        raise HTTPException(status_code=400, detail="invalid cursor") from err


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise HTTPException(status_code=422, detail=f"{name} needs a UTC offset, e.g. 2025-06-01T00:00:00+07:00")
    return value


def create_app(profile: SimulationProfile | None = None, unit_codes: set[str] | None = None) -> FastAPI:
    """Build the service. ``unit_codes`` limits which units have a one-stop system (demo, tests)."""
    profile = profile or SimulationProfile()
    by_code = {u.code + ":" + str(u.valid_from): u for u in all_units()}
    app = FastAPI(
        title="Motcua source simulator: one-stop dossier system",
        version="1",
        description="Simulated hệ thống thông tin giải quyết TTHC of Nghe An. See docs/feed_contract.md.",
    )

    def visible(code: str) -> bool:
        return unit_codes is None or code in unit_codes

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "seed": profile.seed, "scale": profile.scale}

    @app.get("/v1/units")
    def list_units(on: date = Query(..., description="Day whose operating units are listed")) -> dict:
        """Units (đơn vị) with a one-stop department on the day: districts only before 1 July 2025."""
        return {
            "items": [
                {"unit_code": u.code, "name": u.full_name, "level": u.level, "parent_code": u.parent_code}
                for u in units_on(on)
                if visible(u.code)
            ]
        }

    @app.get("/v1/units/{unit_code}/dossiers")
    def list_dossiers(
        unit_code: str,
        updated_since: datetime,
        updated_until: datetime,
        cursor: str | None = None,
        limit: int = Query(500, ge=1, le=MAX_PAGE),
    ) -> dict:
        """Dossiers (hồ sơ) of the unit whose last change is in [updated_since, updated_until)."""
        since, until = _aware(updated_since, "updated_since"), _aware(updated_until, "updated_until")
        if since >= until:
            raise HTTPException(status_code=422, detail="updated_since must be before updated_until")
        offset = 0
        if cursor:
            offset, c_since, c_until = _decode_cursor(cursor)
            if (c_since, c_until) != (since.isoformat(), until.isoformat()):
                raise HTTPException(status_code=400, detail="cursor belongs to another interval")
        # Unit validity is in local days: a 2025 commune exists from 1 July 00:00 +07:00.
        first_day = since.astimezone(VN_TZ).date()
        last_day = (until - timedelta(microseconds=1)).astimezone(VN_TZ).date()
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
        records: list[dict] = []
        for unit in units:
            records.extend(records_updated(unit, since, until, profile))
        page = records[offset : offset + limit]
        next_offset = offset + len(page)
        return {
            "items": page,
            "total": len(records),
            "next_cursor": _encode_cursor(next_offset, since.isoformat(), until.isoformat())
            if next_offset < len(records)
            else None,
        }

    return app
