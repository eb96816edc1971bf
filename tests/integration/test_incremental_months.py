"""Biểu 06 months built incrementally equal a full refresh, when a day touches only later months.

An incremental build recomputes the months from the first one the day touched. A dossier
received in an earlier month and still open belongs to those months too (carried over, in
progress): it must be counted although nothing about it changed. A wrong "active from" test
once dropped exactly these dossiers.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime

import psycopg

from motcua.landing.items import FeedItem
from motcua.landing.ledger import seal_loaded_batches
from motcua.landing.loader import load_batch
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS
from motcua.orchestration.dbt import run_dbt

MODELS = ("fct_dossiers", "fct_dossier_periods_monthly")
COUNTERS = "carried_over_count, received_count, settled_count, in_progress_count, in_progress_within_time_count"


def _dossier(code: str, received: str, status: int = 4, completed: str | None = None) -> FeedItem:
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
        "appointment_due_at": "2025-04-30T17:00:00+07:00",
        "statutory_working_days": 20,
        "completed_at": completed,
        "status_history": [{"status": 2, "at": received}],
    }
    return FeedItem(json.dumps(record), record)


def _land(url: str, interval: tuple[str, str], items: list[FeedItem]) -> None:
    with psycopg.connect(url) as conn:
        start, end = (datetime.fromisoformat(t) for t in interval)
        load_batch(conn, ONE_STOP_DOSSIERS, "430", (start, end), items)
        conn.commit()
        seal_loaded_batches(conn)


def _periods(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            f"select period_month, {COUNTERS} from audit.fct_dossier_periods_monthly order by period_month"
        ).fetchall()


def test_a_day_that_touches_only_a_later_month_keeps_the_old_open_dossiers(warehouse, reset_warehouse):
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    select = ["--select", *(f"+{m}" for m in MODELS), "--target-path", target]
    # February: one dossier received and still open; one received and settled.
    _land(
        warehouse.url,
        ("2025-02-10T00:00:00+07:00", "2025-02-11T00:00:00+07:00"),
        [
            _dossier("000.00.30.H41-250210-0001", "2025-02-10T08:00:00+07:00"),
            _dossier("000.00.30.H41-250210-0002", "2025-02-10T09:00:00+07:00", 9, "2025-02-12T10:00:00+07:00"),
        ],
    )
    run_dbt("run", *select, "--full-refresh")
    # March: days that only bring March dossiers; the February one stays open, unchanged.
    for day in ("05", "06"):
        _land(
            warehouse.url,
            (f"2025-03-{day}T00:00:00+07:00", f"2025-03-{int(day) + 1:02d}T00:00:00+07:00"),
            [_dossier(f"000.00.30.H41-2503{day}-0001", f"2025-03-{day}T08:00:00+07:00")],
        )
        run_dbt("run", *select)
    incremental = _periods(warehouse.url)
    run_dbt("run", *select, "--full-refresh")
    full = _periods(warehouse.url)
    reset_warehouse()
    assert incremental == full
    march = [row for row in full if row[0].month == 3]
    assert march and march[0][1] == 1  # the February dossier is carried over into March
