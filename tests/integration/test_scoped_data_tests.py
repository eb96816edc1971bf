"""Data tests of the big incremental models check the rows their build wrote (macros/test_scope.sql).

A day's `dbt build` must cost what the day changed: the tests of fct_dossiers read the dossiers
whose version landed since the mart's last build, found through the load-sequence index, not
the years before. Run on their own (`dbt test`, the weekly full validation), the same tests read
every row. Shown here with a bad value planted in a dossier built the day before: the day's
build does not read it, a standalone `dbt test` finds it.
"""

from __future__ import annotations

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
