"""`motcua airflow standalone` as a new user runs it, then stopped with SIGTERM: nothing is left behind.

The real command (``.venv/bin/motcua``), with a ``PATH`` that lacks the virtual environment's
``bin`` folder (no activated virtualenv) and a fresh state folder: the API server answers
healthy, lists the project's DAGs, the LocalExecutor runs as many workers as the machine has
room for, and SIGTERM to ``motcua`` stops every process it started (Airflow's components, their
workers, the embedded PostgreSQL).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from motcua.runtime import task_parallelism

pytestmark = pytest.mark.integration

DAGS = {"motcua_daily", "motcua_portal", "motcua_portal_snapshots", "motcua_reference", "motcua_spreadsheets"}
STARTUP_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    sid: int
    started: int  # clock ticks after boot: tells a process from a later one with its pid
    cmdline: str
    environ: str


def _processes() -> dict[int, Proc]:
    """Live (not zombie) processes, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            try:
                environ = (entry / "environ").read_bytes().decode(errors="replace")
            except PermissionError:
                environ = ""
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":
            continue
        pid = int(entry.name)
        found[pid] = Proc(pid, int(fields[1]), int(fields[3]), int(fields[19]), cmdline, environ)
    return found


def _started_by(root: int, procs: dict[int, Proc]) -> dict[int, Proc]:
    """``root``'s descendants."""
    children: dict[int, list[int]] = {}
    for proc in procs.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
    out, todo = {}, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out[pid] = procs[pid]
        todo.extend(children.get(pid, []))
    return out


def _left_behind(marker: str, seen: dict[int, Proc], sessions: set[int]) -> dict[int, str]:
    """Processes still alive that the wrapper started: seen among its descendants, in one of their
    sessions (orphans keep it), or naming the test's state folder (the embedded PostgreSQL)."""
    left = {}
    for proc in _processes().values():
        if proc.pid == os.getpid():
            continue
        earlier = seen.get(proc.pid)
        if (
            (earlier is not None and earlier.started == proc.started)
            or proc.sid in sessions
            or marker in proc.cmdline
            or marker in proc.environ
        ):
            left[proc.pid] = proc.cmdline
    return left


def _new_user_env(state_dir: Path, port: int, warehouse_url: str | None) -> dict[str, str]:
    """This environment as a new user's shell has it: no Airflow or Motcua settings, no virtualenv on PATH."""
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "MOTCUA_", "VIRTUAL_ENV"))}
    path = [p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and Path(p) != bin_dir]
    env["PATH"] = os.pathsep.join(path)
    env["MOTCUA_STATE_DIR"] = str(state_dir)
    # Ports of their own, so that another Airflow on this machine does not get in the way.
    env["AIRFLOW__API__PORT"] = str(port)
    env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(_free_port())
    env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(_free_port())
    if warehouse_url:
        env["MOTCUA_WAREHOUSE_URL"] = warehouse_url
    return env


def _wait_until(what: str, check, wrapper: subprocess.Popen, log: Path, deadline: float):
    while time.monotonic() < deadline:
        if wrapper.poll() is not None:
            pytest.fail(f"motcua exited ({wrapper.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        try:
            result = check()
            if result:
                return result
        except (httpx.HTTPError, OSError, ValueError, KeyError):
            pass
        time.sleep(1)
    pytest.fail(f"no {what} after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


def test_standalone_starts_for_a_new_user_and_stops_entirely(tmp_path, request):
    warehouse_url = None
    if os.environ.get("MOTCUA_WAREHOUSE_URL"):
        # A throw-away database on the configured server (the session's warehouse), never the server's own.
        warehouse_url = request.getfixturevalue("warehouse").url
    state_dir = tmp_path / "fresh-state"
    marker = str(state_dir)
    port = _free_port()
    env = _new_user_env(state_dir, port, warehouse_url)
    motcua = Path(sys.executable).parent / "motcua"
    log = tmp_path / "standalone.log"
    base = f"http://127.0.0.1:{port}"
    started_at = time.monotonic()
    with log.open("w") as out:
        wrapper = subprocess.Popen(
            [str(motcua), "airflow", "standalone"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = started_at + STARTUP_SECONDS

        def healthy() -> bool:
            health = httpx.get(f"{base}/api/v2/monitor/health", timeout=5).json()
            return all(health[c]["status"] == "healthy" for c in ("metadatabase", "scheduler", "dag_processor"))

        _wait_until("healthy API server", healthy, wrapper, log, deadline)
        assert "FileNotFoundError" not in log.read_text()

        passwords = state_dir / "airflow" / "simple_auth_manager_passwords.json.generated"
        password = json.loads(passwords.read_text())["admin"]
        token = httpx.post(f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=10)
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        def dags_listed() -> set[str]:
            dags = httpx.get(f"{base}/api/v2/dags", params={"limit": 100}, headers=headers, timeout=10).json()
            listed = {d["dag_id"] for d in dags["dags"]}
            return listed if listed >= DAGS else set()

        assert _wait_until("project DAGs listed", dags_listed, wrapper, log, deadline) >= DAGS

        def started() -> dict[int, Proc]:
            return _started_by(wrapper.pid, _processes())

        def executor_workers() -> list[str]:
            # Airflow retitles its processes (setproctitle), which hides their environment and command line.
            return [p.cmdline for p in started().values() if p.cmdline.startswith("airflow worker -- LocalExecutor")]

        _wait_until("LocalExecutor workers", executor_workers, wrapper, log, deadline)
        assert len(executor_workers()) == task_parallelism(), [p.cmdline for p in started().values()]

        seen = started()
        sessions = {p.sid for p in seen.values()} - {os.getsid(0)}
        wrapper.send_signal(signal.SIGTERM)
        assert wrapper.wait(timeout=60) == 128 + signal.SIGTERM
        left = _left_behind(marker, seen, sessions)
        assert left == {}, f"processes left after motcua stopped: {left}"
        assert time.monotonic() - started_at < 150
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
        for proc in _processes().values():
            if marker in proc.cmdline or marker in proc.environ:
                with contextlib.suppress(OSError):
                    os.kill(proc.pid, signal.SIGKILL)
