"""One-stop dossier records landed through the real loader (tests of incremental dbt builds), and
what the simulator serves a day's pull (tests of whole daily runs)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import psycopg

from motcua.domain import TIME_ZONE as VN_TZ
from motcua.landing.items import FeedItem
from motcua.landing.ledger import seal_loaded_batches
from motcua.landing.loader import load_batch
from motcua.landing.pulls import OVERLAP
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS
from motcua_simulator.dossiers import SimulationProfile, records_updated
from motcua_simulator.reference import all_units


def dossier(
    code: str, received: str, status: int = 4, completed: str | None = None, due: str = "2025-04-30T17:00:00+07:00"
) -> FeedItem:
    record = {
        "dossier_code": code,
        "version": 1,
        "updated_at": completed or received,
        "unit_code": "430",
        "unit_level": "district",
        "procedure_code": "1.001193",
        "status": status,
        "channel": 1,
        "received_at": received,
        "appointment_due_at": due,
        "statutory_working_days": 20,
        "completed_at": completed,
        "status_history": [{"status": 2, "at": received}],
    }
    return FeedItem(json.dumps(record), record)


def land(url: str, interval: tuple[str, str], items: list[FeedItem]) -> None:
    with psycopg.connect(url) as conn:
        start, end = (datetime.fromisoformat(t) for t in interval)
        load_batch(conn, ONE_STOP_DOSSIERS, "430", (start, end), items)
        conn.commit()
        seal_loaded_batches(conn)


def served_versions(day: date, units: set[str], seed: int, scale: float) -> dict[str, int]:
    """dossier code -> version, as the simulator serves the units for the day's daily pull."""
    start = datetime.combine(day, datetime.min.time(), VN_TZ)
    end = start + timedelta(days=1)
    out: dict[str, int] = {}
    profile = SimulationProfile(seed=seed, scale=scale)
    for unit in all_units():
        if unit.code in units and unit.valid_from is None:
            for record in records_updated(unit, start - OVERLAP, end, profile):
                out[record["dossier_code"]] = record["version"]
    return out
