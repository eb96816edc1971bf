"""The embedded PostgreSQL: starts as root or not, never assumes a fixed port, reuses its data."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest

from motcua.config import PostgresTarget
from motcua.warehouse.embedded import EmbeddedPostgres


def test_start_stop_reuses_data_and_avoids_a_busy_port(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    first = PostgresTarget.from_url(server.start())
    try:
        with psycopg.connect(first.libpq_url(), autocommit=True) as conn:
            conn.execute("create table kept (n int)")
            conn.execute("insert into kept values (42)")
    finally:
        assert server.stop() is True
    assert server.running_port() is None

    # Somebody else now holds the port the server used last time.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", first.port))
        squatter.listen(1)
        second = PostgresTarget.from_url(server.start())
        try:
            assert second.port != first.port
            with psycopg.connect(second.libpq_url()) as conn:
                assert conn.execute("select n from kept").fetchone() == (42,)
            # A second start while running reuses the running server.
            assert PostgresTarget.from_url(server.start()).port == second.port
        finally:
            server.stop()


def test_tcp_connections_need_the_password(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    target = PostgresTarget.from_url(server.start())
    try:
        wrong = PostgresTarget(target.host, target.port, target.user, "wrong", target.dbname)
        try:
            psycopg.connect(wrong.libpq_url(), connect_timeout=5).close()
        except psycopg.OperationalError as err:
            assert "password authentication failed" in str(err)
        else:
            raise AssertionError("a wrong password was accepted")
    finally:
        server.stop()


ORDINARY_USER = "motcua-ci-user"
SYSTEM_PYTHON = Path("/usr/bin/python3.11")


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or not SYSTEM_PYTHON.exists(),
    reason="needs root (to create an ordinary user) and Debian's python3.11",
)
def test_runs_as_an_ordinary_user(tmp_path):
    """As a non-root user the server runs under that user; no service account is created."""
    subprocess.run(["useradd", "-m", ORDINARY_USER], capture_output=True)  # exists already: fine
    state = tmp_path / "state"
    state.mkdir()
    shutil.chown(state, ORDINARY_USER)
    tmp_path.chmod(0o755)
    # The virtual environment's interpreter may live under /root; Debian's python3.11 with the
    # same site-packages is the same runtime, readable by everyone.
    site = Path(psycopg.__file__).parents[1]
    src = Path(__file__).resolve().parents[2] / "src"
    script = (
        "from pathlib import Path; import os, psycopg\n"
        "from motcua.warehouse.embedded import EmbeddedPostgres\n"
        f"server = EmbeddedPostgres(Path({str(state)!r}))\n"
        "url = server.start()\n"
        "with psycopg.connect(url) as c:\n"
        "    print(c.execute('select pg_backend_pid()').fetchone()[0], os.getuid())\n"
        "print(server.stop())\n"
    )
    done = subprocess.run(
        ["su", ORDINARY_USER, "-s", "/bin/sh", "-c", f"cd /tmp && PYTHONPATH={src}:{site} {SYSTEM_PYTHON} -"],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *_, last = done.stdout.strip().splitlines()
    assert last == "True"
    data = state / "postgres" / "data"
    assert data.stat().st_uid == pwd.getpwnam(ORDINARY_USER).pw_uid
