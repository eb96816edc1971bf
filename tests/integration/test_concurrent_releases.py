"""The daily, portal and spreadsheet DAGs at the same time, watched by a BI reader.

Reproduced before the fix: the portal run validated, the daily dbt build then added rows, and
the portal run published them; BI also saw the daily marts half rebuilt (208 June dossiers in
``published.dossiers`` against 153 in ``published.scorecards_monthly``). Here the daily run is
given a row its validation rejects, the three DAGs run at once (each in its own process, as on
separate workers, sharing only the warehouse), and a reader login checks every published view
in one snapshot, over and over, from before the first release to after the last:

- it never sees the rejected row;
- the published views agree with each other (dossiers with the Biểu 06 periods, the portal's
  official scores with the reconciliation);
- the two runs' holds of the warehouse never overlap, and the portal run changes no daily view.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from datetime import date

import psycopg
import pytest

from motcua.cli import daily_run_date, run_dag
from motcua.config import PostgresTarget, load_settings
from motcua.landing.ledger import seal_loaded_batches
from motcua.runtime import export_feed_connection
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.server import running_simulator
from motcua_simulator.spreadsheets import write_spreadsheet_drop

UNITS = {"17935", "17950", "17971"}  # three 2025 communes of the former Huyện Nam Đàn
PROFILE = SimulationProfile(seed=11, scale=0.3)
FIRST_DAY, DAY = date(2025, 7, 30), date(2025, 7, 31)
REJECTED = "BAD CODE"  # not {agency}-{yyMMdd}-{NNNN}: dbt accepts it, the dossier suite does not

DAILY_PERIODS_DISAGREE = """
    with dossiers as (
        -- A dossier handed over at the 2025 reform counts in its months before at the unit that handed it over.
        select coalesce(handed_over_from_unit_code, competent_unit_code) as competent_unit_code,
               date_trunc('month', received_date)::date as month, count(*) as n
        from published.dossiers group by 1, 2
    ), periods as (
        -- A unit's desk may have received only for other units in a month (no received_count).
        select unit_code as competent_unit_code, period_month as month, sum(received_count) as n
        from published.dossier_periods_monthly group by 1, 2 having sum(received_count) > 0
    )
    select count(*) from dossiers full join periods using (competent_unit_code, month)
    where dossiers.n is distinct from periods.n
"""
PORTAL_VIEWS_DISAGREE = """
    select count(*) from published.official_scores_766 o
    full join published.scorecard_766_reconciliation r
      using (period_type, period, portal_unit_code, indicator_code)
    where o.official_points is distinct from r.official_points
"""


class Watcher(threading.Thread):
    """A BI login reading every published view in one snapshot, as often as it can."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.snapshots = 0
        self.problems: list[str] = []
        self.releases_seen: set[tuple[str, str]] = set()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                with conn.transaction():
                    conn.execute("set transaction isolation level repeatable read")
                    self.check(conn)
                self.snapshots += 1
                time.sleep(0.2)

    def check(self, conn: psycopg.Connection) -> None:
        views = {v for (v,) in conn.execute("select viewname from pg_views where schemaname = 'published'")}
        if "dossiers" in views:
            rejected = conn.execute("select count(*) from published.dossiers where dossier_code = %s", (REJECTED,))
            if rejected.fetchone()[0]:
                self.problems.append("published.dossiers shows a row its validation rejected")
            if "dossier_periods_monthly" in views and conn.execute(DAILY_PERIODS_DISAGREE).fetchone()[0]:
                self.problems.append("published.dossiers and published.dossier_periods_monthly disagree")
            self.releases_seen.add(("daily", str(conn.execute("select count(*) from published.dossiers").fetchone())))
        if {"official_scores_766", "scorecard_766_reconciliation"} <= views:
            if conn.execute(PORTAL_VIEWS_DISAGREE).fetchone()[0]:
                self.problems.append("published.official_scores_766 and the reconciliation disagree")
            self.releases_seen.add(("portal", "published"))


def _child_dag_run(airflow_db: str, tmp_path, name: str, code: str, drop_dir: str) -> subprocess.Popen:
    """A DAG run in its own process with its own Airflow metadata (a copy of the migrated one)."""
    home = tmp_path / name
    (home / "logs").mkdir(parents=True)
    shutil.copy(airflow_db, home / "airflow.db")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "MOTCUA_DROP_DIR": drop_dir,
        # The daily run's bad row must reject its release (what this test races against), not
        # hold back one unit: unit holdback is tested in test_daily_pipeline.py.
        "MOTCUA_HOLDBACK_MAX_UNITS": "0",
    }
    script = (
        "import sys, datetime, pathlib\n"
        "from motcua.cli import run_dag, daily_run_date, portal_run_date\n"
        f"log = pathlib.Path({str(home / 'run.log')!r})\n"
        f"print(run_dag(*{code}, log_path=log))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture(scope="module")
def reader_url(warehouse):
    name, password = f"bi_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        conn.execute(f"create role {name} login password '{password}' in role motcua_reader")
    t = PostgresTarget.from_url(warehouse.url)
    yield PostgresTarget(t.host, t.port, name, password, t.dbname).libpq_url()
    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        conn.execute(f"drop role {name}")


@pytest.fixture(scope="module")
def concurrent_runs(airflow_db, warehouse, reader_url, tmp_path_factory, reset_warehouse):
    reset_warehouse()
    tmp_path = tmp_path_factory.mktemp("concurrent")
    drop_dir = tmp_path / "drops"
    drop_dir.mkdir()
    watcher = Watcher(reader_url)
    outcome: dict = {}
    with running_simulator(UNITS, seed=PROFILE.seed, scale=PROFILE.scale) as feed_url:
        export_feed_connection(feed_url)
        watcher.start()
        assert run_dag("motcua_reference") == "success"
        first = run_dag("motcua_daily", daily_run_date(FIRST_DAY), {"initial_load_from": "2025-07-01"})
        assert first == "success"
        with psycopg.connect(warehouse.url) as conn:
            outcome["daily_before"] = conn.execute(
                "select count(*), md5(string_agg(d::text, ',' order by dossier_code)) from published.dossiers d"
            ).fetchone()
            # A row the dossier suite rejects, written past the loader (which would quarantine it).
            batch = conn.execute(
                """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                                                 received, loaded, finished_at)
                   select gen_random_uuid(), source, unit_code, interval_start, interval_end, 'loaded', 1, 1, now()
                   from raw.batch_ledger where source = 'one_stop_dossiers' limit 1 returning batch_id"""
            ).fetchone()[0]
            conn.execute(
                """insert into raw.one_stop_dossiers
                   select %s, 1, unit_code, %s, now(), 'x', jsonb_set(payload, '{dossier_code}', to_jsonb(%s::text))
                   from raw.one_stop_dossiers limit 1""",
                (REJECTED, batch, REJECTED),
            )
            conn.commit()
            seal_loaded_batches(conn)
        write_spreadsheet_drop(drop_dir, ["17950"], DAY, PROFILE, formats=("csv",))
        migrated = str(load_settings().airflow_home / "airflow.db")
        children = {
            "daily": _child_dag_run(
                migrated,
                tmp_path,
                "daily",
                f"('motcua_daily', daily_run_date(datetime.date.fromisoformat('{DAY}')))",
                str(drop_dir),
            ),
            "portal": _child_dag_run(
                migrated,
                tmp_path,
                "portal",
                "('motcua_portal', portal_run_date(datetime.date(2025, 7, 1)))",
                str(drop_dir),
            ),
            "spreadsheets": _child_dag_run(
                migrated, tmp_path, "spreadsheets", "('motcua_spreadsheets',)", str(drop_dir)
            ),
        }
        for name, child in children.items():
            out, err = child.communicate(timeout=1500)
            outcome[name] = out.strip().splitlines()[-1] if out.strip() else f"no state; stderr: {err[-2000:]}"
        time.sleep(0.5)  # one more snapshot after the last release
        watcher.stop.set()
        watcher.join(timeout=30)
    with psycopg.connect(warehouse.url) as conn:
        outcome["daily_after"] = conn.execute(
            "select count(*), md5(string_agg(d::text, ',' order by dossier_code)) from published.dossiers d"
        ).fetchone()
        outcome["holds"] = conn.execute(
            "select holder, acquired_at, released_at from ops.release_log order by acquired_at"
        ).fetchall()
        outcome["drops"] = conn.execute("select count(*) from raw.spreadsheet_dossiers").fetchone()[0]
    outcome["watcher"] = watcher
    yield outcome
    reset_warehouse()  # the rejected row must not reach the next module's runs


def test_the_runs_end_as_their_data_deserves(concurrent_runs):
    assert concurrent_runs["daily"] == "failed"  # its validation rejected the row
    assert concurrent_runs["portal"] == "success"
    assert concurrent_runs["spreadsheets"] == "success"
    assert concurrent_runs["drops"] > 0


def test_bi_never_sees_a_rejected_row_and_the_views_always_agree(concurrent_runs):
    watcher = concurrent_runs["watcher"]
    assert watcher.snapshots > 20, watcher.snapshots
    assert {kind for kind, _ in watcher.releases_seen} == {"daily", "portal"}
    assert watcher.problems == []


def test_the_portal_run_changes_no_daily_view_and_holds_never_overlap(concurrent_runs):
    assert concurrent_runs["daily_after"] == concurrent_runs["daily_before"]
    holds = concurrent_runs["holds"]
    assert [h.split("/")[0] for h, _, _ in holds].count("motcua_daily") == 2
    assert any(h.startswith("motcua_portal/") for h, _, _ in holds)
    assert all(released is not None for _, _, released in holds)
    for (_, _, released), (_, acquired, _) in itertools.pairwise(holds):
        assert released <= acquired, holds
