"""Biểu 06 months built incrementally equal a full refresh, when a day touches only later months.

An incremental build recomputes the months from the first one the day touched. A dossier
received in an earlier month and still open belongs to those months too (carried over, in
progress): it must be counted although nothing about it changed. A wrong "active from" test
once dropped exactly these dossiers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import psycopg

from motcua.orchestration.dbt import run_dbt

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from dossier_days import dossier, land

MODELS = ("fct_dossiers", "fct_dossier_periods_monthly")
COUNTERS = "carried_over_count, received_count, settled_count, in_progress_count, in_progress_within_time_count"


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
    land(
        warehouse.url,
        ("2025-02-10T00:00:00+07:00", "2025-02-11T00:00:00+07:00"),
        [
            dossier("000.00.30.H41-250210-0001", "2025-02-10T08:00:00+07:00"),
            dossier("000.00.30.H41-250210-0002", "2025-02-10T09:00:00+07:00", 9, "2025-02-12T10:00:00+07:00"),
        ],
    )
    run_dbt("run", *select, "--full-refresh")
    # March: days that only bring March dossiers; the February one stays open, unchanged.
    for day in ("05", "06"):
        land(
            warehouse.url,
            (f"2025-03-{day}T00:00:00+07:00", f"2025-03-{int(day) + 1:02d}T00:00:00+07:00"),
            [dossier(f"000.00.30.H41-2503{day}-0001", f"2025-03-{day}T08:00:00+07:00")],
        )
        run_dbt("run", *select)
    incremental = _periods(warehouse.url)
    run_dbt("run", *select, "--full-refresh")
    full = _periods(warehouse.url)
    reset_warehouse()
    assert incremental == full
    march = [row for row in full if row[0].month == 3]
    assert march and march[0][1] == 1  # the February dossier is carried over into March


def _april(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as conn:
        periods = conn.execute(
            """select in_progress_within_time_count, in_progress_overdue_count, built_at_load_seq
               from audit.fct_dossier_periods_monthly where period_month = date '2025-04-01'"""
        ).fetchone()
        scorecard = conn.execute(
            """select in_progress_within_time_count, in_progress_overdue_count, built_at_load_seq
               from audit.fct_scorecard_monthly
               where period_start_date = date '2025-04-01' and scorecard_unit_code = '430'"""
        ).fetchone()
    return {"periods": periods, "scorecard": scorecard}


def test_a_day_of_empty_batches_rejudges_open_dossiers_into_the_scorecard(warehouse, reset_warehouse):
    """A day that brings no version still moves the as-of instant: an open dossier whose
    appointment passed becomes overdue. Biểu 06 must stamp the recomputed month newer than
    before, or the scorecards (and the release, which picks rows by the same stamp) keep the
    old figure until a day with a new version."""
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    select = ["--select", "+fct_scorecard_monthly", "--target-path", target]
    land(
        warehouse.url,
        ("2025-04-14T00:00:00+07:00", "2025-04-15T00:00:00+07:00"),
        [dossier("000.00.30.H41-250414-0001", "2025-04-14T08:00:00+07:00", due="2025-04-15T17:00:00+07:00")],
    )
    run_dbt("run", *select, "--full-refresh")
    before = _april(warehouse.url)
    # The next day's pull: nothing changed at the unit, an empty batch up to 16 April 00:00.
    land(warehouse.url, ("2025-04-15T00:00:00+07:00", "2025-04-16T00:00:00+07:00"), [])
    run_dbt("run", *select)
    after = _april(warehouse.url)
    run_dbt("run", *select, "--full-refresh")
    full = _april(warehouse.url)
    reset_warehouse()

    assert before["periods"][:2] == (1, 0) and before["scorecard"][:2] == (1, 0)
    # Judged at 16 April 00:00, after the appointment (15 April 17:00): overdue.
    assert after["periods"][:2] == (0, 1)
    assert after["scorecard"][:2] == (0, 1), "the scorecard kept the figure of the day before"
    assert after["periods"][2] > before["periods"][2]
    assert after["scorecard"][2] > before["scorecard"][2]
    assert after["periods"][:2] == full["periods"][:2] and after["scorecard"][:2] == full["scorecard"][:2]
