"""Data tests of the big incremental models check the rows their build wrote (macros/test_scope.sql).

A day's `dbt build` must cost what the day changed: the tests of fct_dossiers read the dossiers
whose version landed since the mart's last build, found through the load-sequence index, not
the years before. Run on their own (`dbt test`, the weekly full validation), the same tests read
every row. Shown here with a bad value planted in a dossier built the day before: the day's
build does not read it, a standalone `dbt test` finds it.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from motcua.config import ConfigError
from motcua.orchestration.dbt import run_dbt

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from dossier_days import dossier, land

OLD, NEW = "000.00.30.H41-250210-0002", "000.00.30.H41-250305-0001"


def test_a_days_build_tests_its_rows_and_a_standalone_run_tests_all(warehouse, reset_warehouse):
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    land(
        warehouse.url,
        ("2025-02-10T00:00:00+07:00", "2025-02-11T00:00:00+07:00"),
        [dossier(OLD, "2025-02-10T09:00:00+07:00", 9, "2025-02-12T10:00:00+07:00")],
    )
    run_dbt("build", "--select", "+fct_dossiers", "--target-path", target)
    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        # Yesterday's row goes bad behind dbt's back (a hand edit, a bug fixed since).
        conn.execute("update audit.fct_dossiers set completion_class = 'bogus' where dossier_code = %s", (OLD,))
        seen = conn.execute("select max(last_load_seq) from audit.fct_dossiers").fetchone()[0]

    land(
        warehouse.url,
        ("2025-03-05T00:00:00+07:00", "2025-03-06T00:00:00+07:00"),
        [dossier(NEW, "2025-03-05T08:00:00+07:00", 9, "2025-03-06T10:00:00+07:00")],
    )
    output = run_dbt("build", "--select", "+fct_dossiers", "--target-path", target)
    assert "accepted_values_fct_dossiers_completion_class" in output  # the test ran, and passed
    with psycopg.connect(warehouse.url) as conn:
        scopes = dict(
            conn.execute("select model, checked_above from ops.dbt_test_scopes order by recorded_at").fetchall()
        )
        in_scope = conn.execute(
            "select dossier_code from audit.fct_dossiers where last_load_seq > %s", (scopes["fct_dossiers"],)
        ).fetchall()
    assert scopes["fct_dossiers"] == seen
    assert in_scope == [(NEW,)]

    with pytest.raises(ConfigError, match="FAIL 1 accepted_values_fct_dossiers_completion_class"):
        run_dbt("test", "--select", "fct_dossiers", "--target-path", target)
    reset_warehouse()


def test_the_bieu_06_balance_checks_the_months_a_build_rewrote(warehouse, reset_warehouse):
    """The Biểu 06 balance test (a singular test with a month-to-month self-join) reads, in a
    build, the months that build rewrote, each against its previous month; on its own, all."""
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    select = ("--select", "+fct_dossier_periods_monthly", "--target-path", target)
    land(
        warehouse.url,
        ("2025-02-10T00:00:00+07:00", "2025-02-11T00:00:00+07:00"),
        [dossier(OLD, "2025-02-10T09:00:00+07:00", 9, "2025-02-12T10:00:00+07:00")],
    )
    # A day in March moves the unit's as-of instant past February.
    land(
        warehouse.url,
        ("2025-03-01T00:00:00+07:00", "2025-03-02T00:00:00+07:00"),
        [dossier("000.00.30.H41-250301-0001", "2025-03-01T09:00:00+07:00")],
    )
    run_dbt("build", *select)
    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        # February's row goes bad behind dbt's back; the next day's build does not rewrite it.
        bad = conn.execute(
            "update audit.fct_dossier_periods_monthly set received_count = received_count + 1"
            " where period_month = '2025-02-01'"
        ).rowcount
    assert bad == 1

    land(
        warehouse.url,
        ("2025-03-05T00:00:00+07:00", "2025-03-06T00:00:00+07:00"),
        [dossier(NEW, "2025-03-05T08:00:00+07:00", 9, "2025-03-06T10:00:00+07:00")],
    )
    output = run_dbt("build", *select)
    assert "assert_dossier_periods_monthly_balance" in output  # it ran on March, and passed
    with psycopg.connect(warehouse.url) as conn:
        rewritten = conn.execute(
            """select distinct period_month::text from audit.fct_dossier_periods_monthly
               where built_at_load_seq > (select checked_above from ops.dbt_test_scopes
                                          where model = 'fct_dossier_periods_monthly'
                                          order by recorded_at desc limit 1)"""
        ).fetchall()
    assert rewritten == [("2025-03-01",)]

    with pytest.raises(ConfigError, match="FAIL 1 assert_dossier_periods_monthly_balance"):
        run_dbt("test", "--select", "assert_dossier_periods_monthly_balance", "--target-path", target)
    reset_warehouse()


def test_the_documents_lateness_check_reads_the_built_and_the_open_documents(warehouse, reset_warehouse):
    """The singular test on e-office documents' lateness reads, in a build, the documents that
    build wrote and the open ones; on its own, all. A closed document from an earlier build,
    planted late without a deadline, is outside the day's build and found by a standalone run."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from motcua.orchestration.tasks import extract_load_unit
    from motcua.runtime import export_feed_connection
    from motcua_simulator.app import create_app
    from motcua_simulator.dossiers import SimulationProfile
    from motcua_simulator.server import running_simulator

    check = "assert_documents_late_only_with_deadline"
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    select = ("--select", "+fct_documents", "--target-path", target)
    start = datetime(2025, 3, 3, 12, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    app = create_app(SimulationProfile(seed=23, scale=0.4), unit_codes={"430"})
    with running_simulator(None, seed=0, scale=0, app=app) as url:
        export_feed_connection(url)
        for day in range(4):  # Monday to Thursday; Friday (a working day: new documents) comes after
            extract_load_unit("430", start + timedelta(days=day), start + timedelta(days=day + 1))
        run_dbt("build", *select)
        with psycopg.connect(warehouse.url, autocommit=True) as conn:
            # A closed document goes bad behind dbt's back: late, with no deadline.
            planted = conn.execute(
                """update audit.fct_documents set is_late = true, deadline_at = null
                   where document_id = (select min(document_id) from audit.fct_documents
                                        where completed_at is not null)"""
            ).rowcount
        assert planted == 1
        extract_load_unit("430", start + timedelta(days=4), start + timedelta(days=5))
        output = run_dbt("build", *select)

    assert check in output  # it ran on the day's and the open documents, and passed
    (compiled,) = Path(target, "compiled").rglob(f"{check}.sql")
    scope = compiled.read_text()
    # Both parts of the scope, with the load sequence recorded before the day's build as a literal.
    assert re.search(r"last_load_seq > \d+\) or completed_at is null\)", scope), scope
    with psycopg.connect(warehouse.url) as conn:
        open_documents, newly_built = conn.execute(
            """select count(*) filter (where completed_at is null),
                      count(*) filter (where last_load_seq > (select checked_above from ops.dbt_test_scopes
                                                              where model = 'fct_documents'
                                                              order by recorded_at desc limit 1))
               from audit.fct_documents"""
        ).fetchone()
    assert open_documents > 0 and newly_built > 0  # both parts of the scope had rows to check
    with pytest.raises(ConfigError, match=f"FAIL 1 {check}"):
        run_dbt("test", "--select", check, "--target-path", target)
    reset_warehouse()
