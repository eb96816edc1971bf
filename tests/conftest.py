"""Shared fixtures. The environment is set before anything imports Airflow or GX.

Integration tests use the embedded PostgreSQL in a temporary state folder, exactly as a fresh
machine would, unless ``MOTCUA_WAREHOUSE_URL`` is set; then they use a throw-away database on
that server.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_STATE = Path(tempfile.mkdtemp(prefix="motcua-test-state-"))
os.environ.setdefault("MOTCUA_STATE_DIR", str(_STATE))
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    # `make test` runs test files on several pytest-xdist workers, which inherit this environment
    # from the controller: each gets its own state folder (embedded PostgreSQL, Airflow metadata,
    # GX project) and dbt log folder, so no two workers share a database. The dbt manifest the
    # DAGs render from (written by `make install`) is only read (see `airflow_db`); Cosmos builds
    # in a copy of the project per task.
    _controller_state = os.environ["MOTCUA_STATE_DIR"]
    _worker_state = Path(_controller_state) / f"xdist-{_WORKER}"
    _worker_state.mkdir(parents=True, exist_ok=True)
    os.environ["MOTCUA_STATE_DIR"] = str(_worker_state)
    os.environ["DBT_LOG_PATH"] = str(_worker_state / "dbt-logs")
os.environ["DO_NOT_TRACK"] = "1"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"

from motcua.config import PostgresTarget, load_settings  # noqa: E402
from motcua.runtime import airflow_env, export_airflow_env  # noqa: E402

if _WORKER:
    # The controller exported its own Airflow home and metadata database before starting the
    # workers: a worker replaces them with its own (two workers sharing one SQLite file would wait
    # on each other's locks).
    for _key in airflow_env(load_settings()):
        if _controller_state in os.environ.get(_key, ""):
            os.environ.pop(_key)
export_airflow_env(load_settings())


#: Test files that run whole DAGs, with their serial minutes on a 2-CPU machine (pytest
#: --durations). They are collected first, longest first, so the xdist workers of `make test`
#: start them at once and finish together instead of one worker running the longest file last.
LONG_FILES = {
    "test_daily_pipeline.py": 6,
    "test_concurrent_releases.py": 5,
    "test_crash_campaign.py": 4,
    "test_celery_executor.py": 4,
    "test_portal_pipeline.py": 3,
    "test_feeds_reconciliation.py": 1,
    "test_incremental_equivalence.py": 1,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under tests/integration and tests/dags need a warehouse or Airflow's metadata: they
    are the ``integration`` tier. ``pytest -m "not integration"`` runs the unit tier alone."""
    for item in items:
        parts = item.path.parts
        if "integration" in parts or "dags" in parts:
            item.add_marker(pytest.mark.integration)
    # A stable sort: the long files first, longest first; every file's tests stay in their order.
    items.sort(key=lambda item: -LONG_FILES.get(item.path.name, 0))


@pytest.fixture(scope="session")
def warehouse() -> Iterator:
    """A bootstrapped warehouse, exported to this process like the ``motcua`` command does."""
    from motcua.config import Settings
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    created_db = None
    if settings.warehouse_url:
        base = PostgresTarget.from_url(settings.warehouse_url)
        created_db = f"motcua_test_{uuid.uuid4().hex[:8]}"
        url = PostgresTarget(base.host, base.port, base.user, base.password, created_db).libpq_url()
        settings = Settings(settings.project_dir, settings.state_dir, url)
        # Tasks read MOTCUA_WAREHOUSE_URL before the Airflow connection: point it at the copy.
        os.environ["MOTCUA_WAREHOUSE_URL"] = url
    with open_warehouse(settings) as wh:
        wh.export_env()
        yield wh
        if created_db:
            import psycopg

            admin = PostgresTarget(base.host, base.port, base.user, base.password, "postgres").libpq_url()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"drop database if exists {created_db} with (force)")


@pytest.fixture(scope="session")
def airflow_db(warehouse) -> None:
    """Airflow's metadata database (SQLite in the state folder), migrated once per session."""
    from motcua.cli import migrate_airflow
    from motcua.orchestration.dbt import MANIFEST_PATH, parse_manifest

    # Workers running at once would write the same manifest while others read it: they use the
    # one `make install` parsed. A single process re-parses (picks up edits made since).
    if not (_WORKER and MANIFEST_PATH.exists()):
        parse_manifest()
    migrate_airflow()


@pytest.fixture(scope="session")
def reset_warehouse(warehouse):
    """Call to start a module from an empty warehouse: modules share the session's database, and
    one module's raw rows, marts or release would otherwise leak into the next one's run."""
    import psycopg

    def reset() -> None:
        with psycopg.connect(warehouse.url, autocommit=True) as conn:
            raw = [t for (t,) in conn.execute("select tablename from pg_tables where schemaname = 'raw'")]
            conn.execute("truncate " + ", ".join(f"raw.{t}" for t in raw))
            conn.execute(
                "truncate scoring.indicator_scores, scoring.indicator_score_snapshots,"
                " ops.release_lock, ops.release_log"
            )
            for schema in ("intermediate", "audit", "validated"):  # intermediate: incremental tables
                tables = conn.execute("select tablename from pg_tables where schemaname = %s", (schema,)).fetchall()
                for (table,) in tables:  # cascade: the published views over validated go too
                    conn.execute(f'drop table "{schema}"."{table}" cascade')

    return reset


@pytest.fixture()
def wh_conn(warehouse):
    import psycopg

    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        yield conn
