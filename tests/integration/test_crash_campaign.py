"""Crash campaign: SIGKILL at twelve points of a day's run, then a rerun, and nothing is off.

A clean run of one day (``tests/support/campaign.py``: the daily DAG's task bodies, in order,
against the simulator with faults on) is the reference. Each case starts from the warehouse as
it was just before the step it attacks (databases copied from the clean run's snapshots), runs
the pipeline in a child process that dies with SIGKILL at the case's point, then reruns from
that step, as an Airflow retry would. Raw (every version, its content, the watermarks, what is
in quarantine) and every published view must then equal the clean run's, row for row; no batch
may be left running and the release must be free.

CI runs the dossier chain to the monthly scorecards; ``MOTCUA_CAMPAIGN=full`` runs the whole
daily selection and every suite (see the README).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from motcua.cli import run_dbt
from motcua.config import PostgresTarget
from motcua.warehouse.bootstrap import bootstrap
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.faults import FaultConfig
from motcua_simulator.server import running_simulator

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from campaign import DAY, UNITS, VN  # the child's own module: one definition of the day

CHILD = Path(__file__).parents[1] / "support" / "campaign.py"
#: Columns that record when or in which batch a row was loaded, not what it says.
LOAD_BOOKKEEPING = {"last_extracted_at"}
SNAPSHOTS = ("seeded", "landed", "held", "built", "validated")

# (case, fail point in Motcua's code or None, dbt node to die after or None, starting snapshot,
# the step the rerun starts from)
CASES = [
    ("a feed page read, nothing written", "feeds.page_read", None, "seeded", "land"),
    ("rows copied into raw, not committed", "landing.rows_copied", None, "seeded", "land"),
    ("watermark moved, not committed", "landing.watermark_moved", None, "seeded", "land"),
    ("batch committed, not sealed", "landing.committed_not_sealed", None, "seeded", "land"),
    ("release taken, nothing built", "release.taken", None, "landed", "release"),
    ("dbt: staging and intermediate views built", None, "model.motcua.int_dossier_versions", "held", "build"),
    ("dbt: incremental fct_dossiers written", None, "model.motcua.fct_dossiers", "held", "build"),
    ("dbt: Biểu 06 periods written", None, "model.motcua.fct_dossier_periods_monthly", "held", "build"),
    ("validation: one suite evaluated", "validation.suite_done", None, "built", "validate"),
    ("validation: results recorded", "validation.recorded", None, "built", "validate"),
    ("publish: one mart copied, not committed", "publish.mart_copied", None, "validated", "publish"),
    ("publish: committed, release still held", "publish.committed", None, "validated", "publish"),
]


def _db_url(base: str, name: str) -> str:
    t = PostgresTarget.from_url(base)
    return PostgresTarget(t.host, t.port, t.user, t.password, name).libpq_url()


class Campaign:
    """Databases on the warehouse's server, the simulator, and the child processes."""

    def __init__(self, base_url: str, feed_url: str) -> None:
        self.base_url = base_url
        self.feed_url = feed_url
        self.prefix = f"campaign_{os.getpid()}"
        self.target = tempfile.mkdtemp(prefix="motcua-campaign-target-")
        self.created: list[str] = []

    def name(self, label: str) -> str:
        return f"{self.prefix}_{label}"

    def copy(self, source: str, label: str) -> str:
        """A new database with the content of ``source`` (PostgreSQL's template copy)."""
        target = self.name(label)
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target)))
            conn.execute(
                sql.SQL("create database {} template {}").format(sql.Identifier(target), sql.Identifier(source))
            )
        self.created.append(target)
        return target

    def env(self, database: str, failpoint: str | None = None) -> dict[str, str]:
        url = _db_url(self.base_url, database)
        env = {
            **os.environ,
            **PostgresTarget.from_url(url).dbt_env(),
            "MOTCUA_WAREHOUSE_URL": url,
            "MOTCUA_FEED_URL": self.feed_url,
            "MOTCUA_FEED_BACKOFF_SECONDS": "0",
            "MOTCUA_CAMPAIGN_TARGET": self.target,
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
        }
        env.pop("MOTCUA_FAILPOINT", None)
        if failpoint:
            env["MOTCUA_FAILPOINT"] = failpoint
        return env

    def child(
        self,
        database: str,
        from_step: str,
        *,
        only: bool = False,
        failpoint: str | None = None,
        kill_after_node: str | None = None,
    ) -> subprocess.CompletedProcess:
        args = [sys.executable, str(CHILD), "--from-step", from_step]
        if only:
            args.append("--only")
        if kill_after_node:
            args += ["--kill-after-node", kill_after_node]
        return subprocess.run(
            args, env=self.env(database, failpoint), capture_output=True, text=True, timeout=900, cwd=CHILD.parents[2]
        )

    def drop_all(self) -> None:
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _ok(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def digest(url: str) -> dict[str, object]:
    """What the warehouse says, without when or in which batch it was loaded."""
    out: dict[str, object] = {}
    with psycopg.connect(url) as conn:
        raw_tables = [t for (t,) in conn.execute("select tablename from pg_tables where schemaname = 'raw'")]
        for table in sorted(set(raw_tables) - {"batch_ledger", "quarantine", "watermarks", "drop_files"}):
            out[f"raw.{table}"] = conn.execute(
                sql.SQL(
                    """select count(*), md5(coalesce(string_agg(r, ',' order by r), ''))
                       from (select md5(source_key || ':' || source_version || ':' || checksum || ':' || payload::text)
                             as r from {}) rows"""
                ).format(sql.Identifier("raw", table))
            ).fetchone()
        out["raw.watermarks"] = conn.execute(
            "select source, unit_code, high_water_mark from raw.watermarks order by 1, 2"
        ).fetchall()
        out["raw.quarantine"] = sorted(
            conn.execute("select source, encode(raw_sha256, 'hex') from raw.quarantine").fetchall()
        )
        views = [v for (v,) in conn.execute("select viewname from pg_views where schemaname = 'published'")]
        for view in sorted(views):
            columns = [
                c
                for (c,) in conn.execute(
                    """select column_name from information_schema.columns
                       where table_schema = 'published' and table_name = %s order by ordinal_position""",
                    (view,),
                )
                if c not in LOAD_BOOKKEEPING
            ]
            row = sql.SQL("row({})::text").format(sql.SQL(", ").join(sql.Identifier(c) for c in columns))
            out[f"published.{view}"] = conn.execute(
                sql.SQL(
                    "select count(*), md5(coalesce(string_agg(md5(r), ',' order by md5(r)), '')) "
                    "from (select {} as r from {}) rows"
                ).format(row, sql.Identifier("published", view))
            ).fetchone()
    return out


def _health(url: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:
        return {
            "running batches": conn.execute(
                "select count(*) from raw.batch_ledger where status = 'running'"
            ).fetchone()[0],
            "unbalanced batches": conn.execute(
                """select count(*) from raw.batch_ledger where status = 'loaded'
                   and received <> loaded + already_present + quarantined + already_quarantined"""
            ).fetchone()[0],
            "unsealed batches": conn.execute(
                "select count(*) from raw.batch_ledger where status = 'loaded' and load_seq is null"
            ).fetchone()[0],
            "release held by": conn.execute("select holder from ops.release_lock").fetchone(),
        }


HEALTHY = {"running batches": 0, "unbalanced batches": 0, "unsealed batches": 0, "release held by": (None,)}


@pytest.fixture(scope="module")
def campaign(warehouse):
    app = create_app(
        SimulationProfile(seed=31, scale=0.5),
        unit_codes={"430", "17935"},
        faults=FaultConfig.chaos(0.04, slow=0.0, rate_limit=0.02, server_error=0.02),
    )
    with running_simulator(None, seed=0, scale=0, app=app) as feed_url:
        run = Campaign(warehouse.url, feed_url)
        try:
            seeded = run.name("seeded")
            with psycopg.connect(warehouse.url, autocommit=True) as conn:
                conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(seeded)))
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(seeded)))
            run.created.append(seeded)
            seeded_url = _db_url(warehouse.url, seeded)
            bootstrap(seeded_url)
            saved = {k: os.environ.get(k) for k in PostgresTarget.from_url(seeded_url).dbt_env()}
            os.environ.update(PostgresTarget.from_url(seeded_url).dbt_env())
            try:
                run_dbt("seed", "--target-path", run.target)
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
            # The clean run, step by step, keeping a copy of the warehouse before each attacked step.
            clean = run.copy(seeded, "clean")
            for step, snapshot in (
                ("land", "landed"),
                ("release", "held"),
                ("build", "built"),
                ("validate", "validated"),
                ("publish", None),
                ("end", None),
            ):
                _ok(run.child(clean, step, only=True))
                if snapshot:
                    run.copy(clean, snapshot)
            run.reference = digest(_db_url(warehouse.url, clean))  # type: ignore[attr-defined]
            assert _health(_db_url(warehouse.url, clean)) == HEALTHY
            yield run
        finally:
            run.drop_all()


def test_the_clean_run_proves_something(campaign):
    reference = campaign.reference
    assert reference["raw.one_stop_dossiers"][0] > 100, reference["raw.one_stop_dossiers"]
    assert reference["raw.quarantine"], "the faults put nothing in quarantine: the campaign would prove less"
    published = {k: v for k, v in reference.items() if k.startswith("published.")}
    assert published and all(count > 0 for count, _ in published.values()), published


@pytest.mark.parametrize(("case", "failpoint", "node", "snapshot", "rerun_from"), CASES, ids=[c[0] for c in CASES])
def test_sigkill_then_rerun_equals_a_clean_run(campaign, case, failpoint, node, snapshot, rerun_from):
    slug = "".join(ch if ch.isalnum() else "_" for ch in case.lower())[:40]
    database = campaign.copy(campaign.name(snapshot), slug)
    killed = campaign.child(database, rerun_from, failpoint=failpoint, kill_after_node=node)
    assert killed.returncode == -signal.SIGKILL, (
        f"the run was not killed at {failpoint or node}: exit {killed.returncode}\n{killed.stderr[-2000:]}"
    )
    _ok(campaign.child(database, rerun_from))
    url = _db_url(campaign.base_url, database)
    assert _health(url) == HEALTHY
    after = digest(url)
    differing = sorted(k for k in campaign.reference if after.get(k) != campaign.reference[k])
    assert not differing, {k: (after.get(k), campaign.reference[k]) for k in differing}
    with psycopg.connect(campaign.base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(database)))
    campaign.created.remove(database)


def _raw_only(d: dict) -> dict:
    return {k: v for k, v in d.items() if k.startswith("raw.")}


def test_replayed_and_duplicated_batches_change_nothing(campaign):
    """The day landed again, twice at the same time, on top of the clean run: raw is unchanged."""
    database = campaign.copy(campaign.name("clean"), "replayed")
    runs = [
        subprocess.Popen(
            [sys.executable, str(CHILD), "--from-step", "land", "--only"],
            env=campaign.env(database),
            cwd=CHILD.parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err[-2000:]
    url = _db_url(campaign.base_url, database)
    assert _raw_only(digest(url)) == _raw_only(campaign.reference)
    with psycopg.connect(url) as conn:
        replays = conn.execute(
            """select count(*), sum(loaded), sum(quarantined) from raw.batch_ledger
               where started_at > (select max(published_at) from ops.publish_log)"""
        ).fetchone()
    # Two pulls of the catalogue and both units' three feeds; nothing new in raw or quarantine.
    assert replays == (2 * (1 + 3 * len(UNITS)), 0, 0), replays


def _backfill(url: str, feed_url: str, days: list, monkeypatch) -> list[str]:
    """Land each day for every unit as the daily DAG's backfill would; returns what failed."""
    from datetime import datetime, timedelta

    from motcua.feeds.http import FeedError
    from motcua.orchestration.tasks import extract_load_procedures, extract_load_unit

    monkeypatch.setenv("MOTCUA_WAREHOUSE_URL", url)
    monkeypatch.setenv("MOTCUA_FEED_URL", feed_url)
    monkeypatch.setenv("MOTCUA_FEED_BACKOFF_SECONDS", "0")
    failed = []
    for day in days:
        start = datetime.combine(day, datetime.min.time(), VN)
        extract_load_procedures(start, start + timedelta(days=1))
        for unit in UNITS:
            try:
                extract_load_unit(unit, start, start + timedelta(days=1))
            except FeedError:
                failed.append(f"{day} {unit}")
    return failed


def test_a_source_outage_in_the_middle_of_a_backfill(campaign, monkeypatch):
    """A three-day backfill loses one unit's source for the second day; the third day catches up
    from the unit's lagging watermark, the failed day is rerun, and raw equals an unbroken backfill."""
    from datetime import timedelta

    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    days = [DAY - timedelta(days=2), DAY - timedelta(days=1), DAY]
    outage = {"down": False}
    source = create_app(SimulationProfile(seed=31, scale=0.5), unit_codes=set(UNITS))
    flaky = FastAPI()

    @flaky.middleware("http")
    async def unit_outage(request: Request, call_next):
        if outage["down"] and request.url.path.startswith("/v1/units/17935/"):
            return JSONResponse({"detail": "bảo trì - maintenance"}, status_code=503)
        return await call_next(request)

    flaky.mount("/", source)
    unbroken = _db_url(campaign.base_url, campaign.copy(campaign.name("seeded"), "backfill_unbroken"))
    broken = _db_url(campaign.base_url, campaign.copy(campaign.name("seeded"), "backfill_outage"))
    with running_simulator(None, seed=0, scale=0, app=flaky) as feed_url:
        assert _backfill(unbroken, feed_url, days, monkeypatch) == []
        assert _backfill(broken, feed_url, days[:1], monkeypatch) == []
        outage["down"] = True
        assert _backfill(broken, feed_url, days[1:2], monkeypatch) == [f"{days[1]} 17935"]
        outage["down"] = False
        assert _backfill(broken, feed_url, days[2:], monkeypatch) == []
        assert _backfill(broken, feed_url, days[1:2], monkeypatch) == []  # the failed run, cleared
    assert _raw_only(digest(broken)) == _raw_only(digest(unbroken))
    with psycopg.connect(broken) as conn:
        failed = conn.execute("select unit_code, error from raw.batch_ledger where status = 'failed'").fetchall()
    assert [unit for unit, _ in failed] == ["17935"] and "HTTP 503" in failed[0][1]
