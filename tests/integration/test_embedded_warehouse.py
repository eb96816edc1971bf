"""The embedded PostgreSQL: starts as root or not, never assumes a fixed port, reuses its data,
and lets no OS user in without the superuser's password."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest

from motcua.config import PostgresTarget
from motcua.warehouse.embedded import SERVICE_USER, SUPERUSER, EmbeddedPostgres


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
        # The server's closed sessions may leave the port in TIME_WAIT; squat it all the same.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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


PSQL = Path("/usr/bin/psql")
OTHER_USER = "nobody"
needs_psql = pytest.mark.skipif(not PSQL.exists(), reason="needs Debian's /usr/bin/psql")
needs_root_and_psql = pytest.mark.skipif(
    os.geteuid() != 0 or not PSQL.exists(), reason="needs root (to act as other OS users) and /usr/bin/psql"
)


def _server_os_user() -> str:
    return SERVICE_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


def _socket_dir(server: EmbeddedPostgres) -> Path:
    # The fifth line of postmaster.pid is the server's Unix socket folder.
    return Path((server.data_dir / "postmaster.pid").read_text().splitlines()[4])


def _psql(os_user: str, host: str, port: int, password: str | None = None) -> subprocess.CompletedProcess:
    """``select current_user`` as the superuser, run as ``os_user``; never prompts, no password file."""
    env = {"PATH": "/usr/bin:/bin", "PGPASSFILE": "/nonexistent/pgpass", "PGCONNECT_TIMEOUT": "5"}
    if password is not None:
        env["PGPASSWORD"] = password
    cmd = [str(PSQL), "-w", "-X", "-h", host, "-p", str(port), "-U", SUPERUSER, "-d", "postgres"]
    return subprocess.run(
        [*cmd, "-Atc", "select current_user"],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=30,
        **({"user": os_user} if os.geteuid() == 0 else {}),
    )


def _assert_refused(done: subprocess.CompletedProcess, reason: str) -> None:
    assert done.returncode != 0 and not done.stdout, f"connected without the password: {done.stdout!r}"
    assert reason in done.stderr, done.stderr


def _assert_admitted(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0 and done.stdout.strip() == SUPERUSER, done.stderr


def _trust_every_rule(server: EmbeddedPostgres) -> None:
    """Make pg_hba.conf what older versions wrote, and worse: every rule `trust`."""
    hba = server.data_dir / "pg_hba.conf"
    text, rules = re.subn(r"^([^#\n].*\s)scram-sha-256$", r"\1trust", hba.read_text(), flags=re.M)
    assert rules >= 2
    hba.write_text(text)  # in place: keeps the server's ownership


@needs_root_and_psql
def test_other_os_users_cannot_connect_without_the_password(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    target = PostgresTarget.from_url(server.start())
    try:
        _assert_refused(_psql(OTHER_USER, str(_socket_dir(server)), target.port), "Permission denied")
        _assert_refused(_psql(OTHER_USER, "127.0.0.1", target.port), "no password supplied")
        # The same commands do get in with the password, so the refusals above are real.
        _assert_admitted(_psql(OTHER_USER, "127.0.0.1", target.port, target.password))
        _assert_admitted(_psql(SERVICE_USER, str(_socket_dir(server)), target.port, target.password))
    finally:
        server.stop()


@needs_psql
def test_the_socket_folder_is_private_and_needs_the_password(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    target = PostgresTarget.from_url(server.start())
    try:
        socket_dir = _socket_dir(server)
        mode = socket_dir.stat().st_mode & 0o7777
        assert mode == 0o700, oct(mode)
        assert socket_dir.stat().st_uid == pwd.getpwnam(_server_os_user()).pw_uid
        # Even the server's own OS user, who can enter the folder, needs the password.
        _assert_refused(_psql(_server_os_user(), str(socket_dir), target.port), "no password supplied")
        _assert_admitted(_psql(_server_os_user(), str(socket_dir), target.port, target.password))
    finally:
        server.stop()
    assert not socket_dir.exists()


@needs_root_and_psql
def test_a_cluster_that_trusted_connections_needs_the_password_after_start(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    server.start()
    server.stop()
    _trust_every_rule(server)
    hba = server.data_dir / "pg_hba.conf"
    owner = hba.stat().st_uid
    target = PostgresTarget.from_url(server.start())
    try:
        _assert_refused(_psql(OTHER_USER, "127.0.0.1", target.port), "no password supplied")
        _assert_refused(_psql(SERVICE_USER, str(_socket_dir(server)), target.port), "no password supplied")
        _assert_admitted(_psql(OTHER_USER, "127.0.0.1", target.port, target.password))
        assert (hba.stat().st_uid, hba.stat().st_mode & 0o777) == (owner, 0o600)
        assert not re.search(r"^[^#].*\strust\b", hba.read_text(), flags=re.M)
        # Idempotent: another start leaves the fixed file alone.
        inode = hba.stat().st_ino
        server.start()
        assert hba.stat().st_ino == inode
    finally:
        server.stop()


@needs_root_and_psql
def test_a_running_server_that_trusts_connections_needs_the_password_after_start(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    target = PostgresTarget.from_url(server.start())
    try:
        _trust_every_rule(server)
        with psycopg.connect(target.libpq_url(), autocommit=True) as conn:
            conn.execute("select pg_reload_conf()")
        # Wait until the running server trusts everybody, as one started by an older version did.
        for _ in range(100):
            if _psql(OTHER_USER, "127.0.0.1", target.port).returncode == 0:
                break
        else:
            raise AssertionError("the server never applied its trust rules")
        assert PostgresTarget.from_url(server.start()).port == target.port
        _assert_refused(_psql(OTHER_USER, "127.0.0.1", target.port), "no password supplied")
        _assert_refused(_psql(SERVICE_USER, str(_socket_dir(server)), target.port), "no password supplied")
    finally:
        server.stop()
