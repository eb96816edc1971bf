"""The procedure catalogue's history from 2016 (``motcua catalogue-backfill``), against the simulator.

A warehouse whose first catalogue pull was on 1 June 2025 holds each record at its state of that
day only, so the procedure marts cannot report 2022. The backfill lands every version since
2016, window by window: after it, the raw catalogue holds exactly the versions the source made
before the daily pulls' watermark, and the marts' December 2022 equals the simulator's catalogue
in force on 31 December 2022. A failed window stops the run and is kept in the ledger; the same
command goes on from it; run again, it lands nothing.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta

import psycopg

from motcua.cli.main import main
from motcua.domain import TIME_ZONE
from motcua.feeds.http import FeedError
from motcua.feeds.one_stop import OneStopClient
from motcua.landing.catalogue_backfill import backfill_catalogue, catalogue_watermark, catalogue_windows
from motcua.orchestration.dbt import run_dbt
from motcua.orchestration.tasks import extract_load_procedures
from motcua.runtime import export_feed_connection
from motcua_simulator.catalogue import catalogue_history, procedures_in_force
from motcua_simulator.server import running_simulator

FIRST_PULL_DAY = date(2025, 6, 1)
FAILING_WINDOW_DAY = date(2020, 1, 1)
DECEMBER_2022 = date(2022, 12, 1)


def _december_2022(url: str) -> dict[str, tuple[int, int]]:
    """(in force, online level 4) per authority level, December 2022, from the built mart."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select authority_level, procedures_in_force_count, online_level_4_count
               from audit.fct_procedures_monthly where period_month = %s""",
            (DECEMBER_2022,),
        ).fetchall()
    return {level: (in_force, level_4) for level, in_force, level_4 in rows}


def _ledger_and_raw(url: str) -> tuple[int, int]:
    """(loaded catalogue batches, raw catalogue rows)."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            """select (select count(*) from raw.batch_ledger
                       where source = 'procedure_catalogue' and status = 'loaded'),
                      (select count(*) from raw.procedure_catalogue)"""
        ).fetchone()


def test_the_backfill_lands_every_version_since_2016_resumes_after_a_failure_and_is_idempotent(
    warehouse, reset_warehouse, capsys
):
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    select = ("--select", "+fct_procedures_monthly", "--target-path", target)
    first_pull = datetime.combine(FIRST_PULL_DAY, datetime.min.time(), tzinfo=TIME_ZONE)
    with running_simulator({"430"}, seed=0, scale=0) as url:
        export_feed_connection(url)
        extract_load_procedures(first_pull, first_pull + timedelta(days=1))
        run_dbt("build", *select)
        before = _december_2022(warehouse.url)

        with psycopg.connect(warehouse.url) as conn, OneStopClient(url) as client:
            watermark = catalogue_watermark(conn)
            assert watermark == first_pull + timedelta(days=1)

            def feed_down_on_new_year_2020(since: datetime, until: datetime):
                if since.date() == FAILING_WINDOW_DAY:
                    raise FeedError("GET /v1/procedures: 503 Service Unavailable (after 3 attempts)")
                return client.procedures(since, until)

            windows = catalogue_windows(date(2016, 1, 1), watermark)
            failed = backfill_catalogue(conn, feed_down_on_new_year_2020, windows)
            windows_before_failure = (FAILING_WINDOW_DAY - date(2016, 1, 1)).days
            assert failed.exit_code == 1 and failed.landed == windows_before_failure
            assert failed.failed[0] == datetime.combine(FAILING_WINDOW_DAY, datetime.min.time(), tzinfo=TIME_ZONE)
            (error,) = conn.execute(
                "select error from raw.batch_ledger where source = 'procedure_catalogue' and status = 'failed'"
            ).fetchone()
            assert "503 Service Unavailable" in error

        # The same command goes on from the failed window, up to the daily pulls' watermark.
        assert main(["catalogue-backfill", "--from", "2016-01-01"]) == 0
        assert f"{len(windows)} windows of 1 day" in capsys.readouterr().out
        after_resume = _ledger_and_raw(warehouse.url)
        assert main(["catalogue-backfill", "--from", "2016-01-01"]) == 0  # again: nothing new
        assert _ledger_and_raw(warehouse.url) == after_resume
        run_dbt("build", *select)

    # Raw holds exactly the versions the source made before the watermark: none lost, none twice.
    made = {
        (f"{code}:{level}", number)
        for (code, level), versions in catalogue_history().items()
        for number, version in enumerate(versions, start=1)
        if version.changed_at < watermark
    }
    with psycopg.connect(warehouse.url) as conn:
        landed = conn.execute("select source_key, source_version from raw.procedure_catalogue").fetchall()
    assert len(landed) == len(set(landed))
    assert set(landed) == made
    loaded_batches, _ = after_resume
    assert loaded_batches == 1 + len(windows)  # the first pull and one batch a window, none twice

    truth = {
        level: (
            len(procedures_in_force(level, date(2022, 12, 31))),
            sum(p.online_level_legacy == 4 for p in procedures_in_force(level, date(2022, 12, 31))),
        )
        for level in ("province", "district", "commune")
    }
    assert sum(in_force for in_force, _ in truth.values()) == 429  # as documented in fct_procedures_monthly
    assert _december_2022(warehouse.url) == truth
    assert before != truth  # the first pull alone could not say what was in force in 2022
    reset_warehouse()
