"""A day of ``motcua_daily`` on Airflow's CeleryExecutor, deployed as docker-compose.celery.yml deploys it.

Every component is started the way the project starts Airflow, ``motcua airflow ...`` (the warehouse
and feed connections exported as for any run), with the settings of the compose variant: the
CeleryExecutor, a Redis broker, task results in Airflow's metadata database on PostgreSQL (a
throw-away database on the warehouse's server, migrated by ``motcua setup``, which also loads the
reference seeds, as compose's ``airflow-init`` does). Then ``airflow api-server`` (free port; the
workers' task runners report to its execution API), ``airflow scheduler``, ``airflow dag-processor``
and ``airflow celery worker`` with a concurrency of 2. The broker is the real Redis on 127.0.0.1:6379
(``MOTCUA_TEST_REDIS_URL``), under a key prefix and a queue of this run's own, so that nothing else
on that Redis sees the run's messages or takes its tasks. The simulator serves the feeds from a thread.

One day is triggered through the REST API (the DAG unpaused first; the scheduler makes no scheduled
runs). Required: the run succeeded; every task instance went through this run's queue to the test's
worker (its Celery task id is in the worker's log and has a SUCCESS result in the result backend)
and the worker ran two at once; the published dossiers are what the simulator served; once
stopped, nothing the test started is running.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from unittest import mock
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from psycopg import sql

from motcua.cli import daily_run_date
from motcua.cli.processes import session_members, stop_session
from motcua.config import PostgresTarget
from motcua.runtime import export_feed_connection
from motcua_simulator.server import running_simulator

pytestmark = pytest.mark.integration

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from dossier_days import served_versions  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Huyện Nam Đàn and one of its communes (before the reform), few dossiers: dbt's 47 tasks set the pace.
UNITS = {"430", "17935"}
SEED, SCALE = 7, 0.3
DAY = date(2025, 6, 10)
DAG_ID = "motcua_daily"
#: Database 0 is every Redis client's default; this run's keys are under a prefix of its own too.
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
WORKER_CONCURRENCY = 2
STARTUP_SECONDS = 180
RUN_SECONDS = 900  # a guard against a hung run, not a timing (the run: 4-5 min on 2 idle CPUs)
STOP_SECONDS = 60
MOTCUA = Path(sys.executable).parent / "motcua"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"  # written by the API server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Component:
    """One ``motcua airflow ...`` wrapper, in a session of its own; the tool runs in another (its child's)."""

    name: str
    process: subprocess.Popen
    log: Path
    sessions: set[int] = field(default_factory=set)

    def note_sessions(self) -> None:
        """The wrapper's session and the tool's: the sessions the wrapper's children lead."""
        self.sessions.add(self.process.pid)
        for pid in session_members(self.process.pid):
            with contextlib.suppress(OSError):
                for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                    if os.getsid(int(child)) == int(child):
                        self.sessions.add(int(child))

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name} ({self.log}) ---\n{self.log.read_text(errors='replace')[-chars:]}"


class Deployment:
    """The Airflow components of the compose variant, on this machine."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.components: list[Component] = []

    def start(self, name: str, *args: str) -> Component:
        log = self.logs / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(MOTCUA), "airflow", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        component = Component(name, process, log)
        self.components.append(component)
        return component

    def check_running(self) -> None:
        for c in self.components:
            if c.process.poll() is not None:
                pytest.fail(f"{c.name} exited ({c.process.returncode}):\n{self.tails()}")

    def tails(self) -> str:
        return "\n".join(c.tail() for c in self.components)

    def note_sessions(self) -> None:
        for c in self.components:
            c.note_sessions()

    def stop(self) -> dict[int, int]:
        """SIGTERM to every wrapper (each stops its tool's session); returns what had to be killed after."""
        self.note_sessions()
        for c in self.components:
            if c.process.poll() is None:
                c.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for c in self.components:
            try:
                c.process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                c.process.kill()
                c.process.wait()
        left = {}
        for c in self.components:
            for sid in c.sessions:
                left.update(session_members(sid))
                stop_session(sid, grace=5)
        return left


def _airflow_env(
    state_dir: Path, warehouse_url: str, metadata: PostgresTarget, feeds: dict[str, str], api_port: int, run_tag: str
) -> dict[str, str]:
    """A shell's environment without Airflow or Motcua settings, plus the compose variant's settings.

    ``motcua airflow`` adds the rest (motcua.runtime: Airflow home in the state folder, DAG folder,
    time zone, parallelism; the warehouse connection and dbt's variables).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "MOTCUA_"))}
    auth = quote(metadata.user, safe="")
    if metadata.password:
        auth += ":" + quote(metadata.password, safe="")
    where = f"{auth}@{metadata.host}:{metadata.port}/{metadata.dbname}"
    env.update(feeds)
    env.update(
        {
            "MOTCUA_STATE_DIR": str(state_dir),
            "MOTCUA_WAREHOUSE_URL": warehouse_url,
            # As in docker-compose.yml and docker-compose.celery.yml.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{where}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": f"postgresql+psycopg://{where}",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{where}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "21600",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            # This run's own: a queue, Redis keys, ports, the worker's name.
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": run_tag,
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": f"{run_tag}:",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
            # Only the run the test triggers: no scheduled run of today (the DAG has catchup=False).
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            # The DAG files are parsed once: on two CPUs, re-parsing every 30 s slows the tasks down.
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        }
    )
    return env


@pytest.fixture()
def redis_prefix():
    """This run's tag (queue name and Redis key prefix); its keys are deleted afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as err:
        pytest.skip(f"no Redis at {REDIS_URL} ({err}); set MOTCUA_TEST_REDIS_URL")
    tag = f"motcua-test-{uuid.uuid4().hex[:10]}"
    yield tag
    keys = list(client.scan_iter(match=f"{tag}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture()
def metadata_db(warehouse):
    """A throw-away database for Airflow's metadata (and Celery's results) on the warehouse's server."""
    base = warehouse.target
    target = PostgresTarget(base.host, base.port, base.user, base.password, f"motcua_af_{uuid.uuid4().hex[:8]}")
    admin = PostgresTarget(base.host, base.port, base.user, base.password, "postgres").libpq_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(target.dbname)))
    yield target
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target.dbname)))


def _wait(what: str, check, deployment: Deployment, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        deployment.check_running()
        with contextlib.suppress(httpx.HTTPError, OSError, ValueError, KeyError):
            result = check()
            if result:
                return result
        time.sleep(2)
    pytest.fail(f"no {what} after {seconds}s:\n{deployment.tails()}")


def _strays(marker: str) -> dict[int, str]:
    """Live processes other than this one whose command line or environment names ``marker``.

    A safety net beside the sessions: Airflow retitles some processes, which hides both."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (entry / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline or marker in environ:
            found[int(entry.name)] = cmdline
    return found


def _overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    """The most intervals open at one time."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda x: (x[0], x[1]))
    most = running = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


def test_daily_run_on_celery_workers_publishes_what_the_source_served(
    tmp_path, redis_prefix, warehouse, reset_warehouse, metadata_db, wh_conn
):
    began = time.monotonic()
    timings: dict[str, float] = {}
    reset_warehouse()
    state_dir = tmp_path / "state"
    api_port = _free_port()
    base = f"http://127.0.0.1:{api_port}"
    run_id = f"celery_{DAY.isoformat()}_{redis_prefix}"

    with running_simulator(UNITS, seed=SEED, scale=SCALE) as feed_url:
        with mock.patch.dict(os.environ):  # the connections exported as `motcua demo` does, for the children only
            before = dict(os.environ)
            export_feed_connection(feed_url)
            feeds = {k: v for k, v in os.environ.items() if before.get(k) != v}
        env = _airflow_env(state_dir, warehouse.url, metadata_db, feeds, api_port, redis_prefix)

        # compose's airflow-init: Airflow's metadata database and the reference seeds.
        setup = subprocess.run([str(MOTCUA), "setup"], env=env, capture_output=True, text=True, timeout=300)
        assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
        timings["setup"] = time.monotonic() - began

        deployment = Deployment(env, tmp_path)
        try:
            deployment.start("api-server", "api-server")
            deployment.start("scheduler", "scheduler")
            deployment.start("dag-processor", "dag-processor")
            worker = deployment.start("worker", "celery", "worker", "--celery-hostname", f"{redis_prefix}@%h")

            def healthy() -> bool:
                health = httpx.get(f"{base}/api/v2/monitor/health", timeout=5).json()
                return all(health[c]["status"] == "healthy" for c in ("metadatabase", "scheduler", "dag_processor"))

            _wait("healthy API server", healthy, deployment, STARTUP_SECONDS)
            password = json.loads((state_dir / "airflow" / PASSWORDS_FILE).read_text())["admin"]
            token = httpx.post(f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=10)
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            with httpx.Client(base_url=f"{base}/api/v2", headers=headers, timeout=30) as api:
                _wait("parsed motcua_daily", lambda: api.get(f"/dags/{DAG_ID}").status_code == 200, deployment, 120)
                _wait("ready worker", lambda: "ready." in worker.log.read_text(errors="replace"), deployment, 120)
                deployment.note_sessions()
                timings["components up"] = time.monotonic() - began

                assert api.patch(f"/dags/{DAG_ID}", json={"is_paused": False}).status_code == 200
                body = {"dag_run_id": run_id, "logical_date": daily_run_date(DAY).isoformat(), "conf": {}}
                triggered = api.post(f"/dags/{DAG_ID}/dagRuns", json=body)
                assert triggered.status_code == 200, triggered.text
                interval_start = datetime.fromisoformat(triggered.json()["data_interval_start"])
                assert interval_start == datetime.combine(DAY, time_of_day(), VN), triggered.json()

                def finished() -> str | None:
                    state = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
                    return state if state in ("success", "failed") else None

                state = _wait("finished run", finished, deployment, RUN_SECONDS)
            timings["run"] = time.monotonic() - began
            worker_log = worker.log.read_text(errors="replace")
        finally:
            left = deployment.stop()
            strays = _strays(str(state_dir))
            for pid in strays:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        timings["stopped"] = time.monotonic() - began

    with psycopg.connect(metadata_db.libpq_url()) as meta:
        tis = meta.execute(
            """select task_id, map_index, state, queue, external_executor_id, start_date, end_date
               from task_instance where dag_id = %s and run_id = %s""",
            (DAG_ID, run_id),
        ).fetchall()
        results = dict(meta.execute("select task_id, status from celery_taskmeta").fetchall())
    rounded = {k: round(v) for k, v in timings.items()}
    print(f"seconds since the test began: {rounded}; {len(tis)} task instances")

    assert state == "success", "\n".join(f"{t[0]}[{t[1]}]: {t[2]}" for t in tis if t[2] != "success")
    assert left == {}, f"processes still running after their motcua wrapper stopped: {left}"
    assert strays == {}, f"processes naming the test's state folder still running: {strays}"

    # The whole DAG ran: the catalogue, one extract-load per unit, the dbt models, the release section.
    task_ids = [t[0] for t in tis]
    assert {"list_units", "extract_load_procedures", "begin_release", "validate", "publish", "end_release"} <= set(
        task_ids
    )
    assert task_ids.count("extract_load_unit") == len(UNITS)
    assert any(t.startswith("transform.") for t in task_ids)
    assert {t[2] for t in tis} == {"success"}
    # Every task instance went through this run's Celery queue and ran on the test's worker: its
    # Celery task id is in the worker's log and has its result in the result backend (PostgreSQL).
    assert {t[3] for t in tis} == {redis_prefix}
    celery_ids = {t[4] for t in tis}
    assert None not in celery_ids and len(celery_ids) == len(tis)
    assert f"{redis_prefix}@" in worker_log and f"concurrency: {WORKER_CONCURRENCY} (prefork)" in worker_log
    assert [cid for cid in celery_ids if f"[{cid}] Executing workload in Celery" not in worker_log] == []
    assert {cid: results.get(cid) for cid in celery_ids} == dict.fromkeys(celery_ids, "SUCCESS")
    # Both slots used: the units' extract-loads and independent dbt models ran side by side.
    assert _overlap([(t[5], t[6]) for t in tis]) == WORKER_CONCURRENCY

    published = dict(wh_conn.execute("select dossier_code, dossier_version from published.dossiers").fetchall())
    expected = served_versions(DAY, UNITS, SEED, SCALE)
    assert expected, "the simulator served nothing: the test would prove nothing"
    assert published == expected
    holders = wh_conn.execute("select holder from ops.release_log where released_at is not null").fetchall()
    assert holders == [(f"{DAG_ID}/{run_id}",)]
