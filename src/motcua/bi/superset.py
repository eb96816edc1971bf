"""Apache Superset on the warehouse's ``published`` schema, provisioned from files under version
control (``superset/``): its configuration, and an import bundle with the warehouse connection,
the datasets, the charts and the scorecard dashboard.

Superset lives in its own virtual environment (``make superset``; it needs ``sqlalchemy<2`` and
``pandas<2.2``), keeps its own metadata in SQLite under the state folder, and reads the warehouse
as a BI login (``motcua.publishing.readers``), never as the pipeline's role: what a reader cannot
see, a dashboard cannot show.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from motcua.config import ConfigError, PostgresTarget

#: The BI login Superset connects as (province-wide: it sees every unit's published rows).
SUPERSET_LOGIN = "motcua_superset"
#: The dashboard the bundle provisions (superset/assets/dashboards/scorecard.yaml).
DASHBOARD_SLUG = "motcua-scorecard"
#: Superset's own administrator (its UI login, unrelated to the warehouse's roles).
ADMIN_USER = "admin"
#: What ``superset import-directory`` logs when it refuses a file, while still exiting 0.
_IMPORT_FAILURES = ("Error importing", "Validation failed", "Traceback")


@dataclass(frozen=True)
class SupersetFiles:
    """Where the provisioned files are and where Superset runs from."""

    project_dir: Path
    home: Path  # Superset's state: its SQLite metadata, secret key, admin password, rendered bundle

    @property
    def source(self) -> Path:
        return self.project_dir / "superset"

    @property
    def venv(self) -> Path:
        return Path(os.environ.get("MOTCUA_SUPERSET_VENV", self.project_dir / ".superset-venv"))

    def tool(self, name: str) -> Path:
        path = self.venv / "bin" / name
        if not path.exists():
            raise ConfigError(
                f"Superset is not installed ({path} missing): run `make superset` (its own virtual environment)"
            )
        return path


def _secret(path: Path, env_name: str) -> str:
    """``env_name`` from the environment, or a random value kept in ``path`` (made once, 0600)."""
    if os.environ.get(env_name):
        return os.environ[env_name]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def admin_password(files: SupersetFiles) -> str:
    """Superset's administrator password: MOTCUA_SUPERSET_ADMIN_PASSWORD, or one generated once
    and kept in the state folder (printed by ``motcua bi superset``)."""
    return _secret(files.home / "admin_password", "MOTCUA_SUPERSET_ADMIN_PASSWORD")


def superset_env(files: SupersetFiles, reader_password: str) -> dict[str, str]:
    """The environment of every Superset process: its configuration file, home and secret key,
    and the BI login's password for the warehouse connection (superset_config.py reads it)."""
    files.home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(files.source / "superset_config.py"),
        "SUPERSET_HOME": str(files.home),
        "MOTCUA_SUPERSET_SECRET_KEY": _secret(files.home / "secret_key", "MOTCUA_SUPERSET_SECRET_KEY"),
        "MOTCUA_BI_PASSWORD": reader_password,
        # Superset's own CLI prints colours and progress meant for a terminal.
        "NO_COLOR": "1",
    }


def render_bundle(files: SupersetFiles, target: PostgresTarget, login: str = SUPERSET_LOGIN) -> Path:
    """The import bundle with its warehouse connection pointed at ``target`` as ``login`` (no
    password in the URI: Superset asks superset_config.py for it)."""
    bundle = files.home / "bundle"
    if bundle.exists():
        shutil.rmtree(bundle)
    shutil.copytree(files.source / "assets", bundle)
    database = bundle / "databases" / "motcua_warehouse.yaml"
    uri = f"postgresql+psycopg2://{login}@{target.host}:{target.port}/{target.dbname}"
    lines = database.read_text(encoding="utf-8").splitlines()
    replaced = [f"sqlalchemy_uri: {uri}" if line.startswith("sqlalchemy_uri:") else line for line in lines]
    if replaced == lines:
        raise ConfigError(f"{database} has no sqlalchemy_uri line to point at the warehouse")
    database.write_text("\n".join(replaced) + "\n", encoding="utf-8")
    return bundle


def _superset(files: SupersetFiles, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(files.tool("superset")), *args], env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise ConfigError(f"superset {' '.join(args[:2])} failed:\n{output[-3000:]}")
    return output


def provision(files: SupersetFiles, target: PostgresTarget, reader_password: str) -> dict[str, str]:
    """Create or upgrade Superset's metadata, its administrator, its roles, and import the bundle
    (again: ``--overwrite``, so the files under version control win). Returns the environment
    to serve it with."""
    env = superset_env(files, reader_password)
    _superset(files, env, "db", "upgrade")
    _superset(
        files,
        env,
        "fab",
        "create-admin",
        "--username",
        ADMIN_USER,
        "--firstname",
        "Motcua",
        "--lastname",
        "Admin",
        "--email",
        "admin@motcua.invalid",
        "--password",
        admin_password(files),
    )
    _superset(files, env, "init")
    bundle = render_bundle(files, target)
    output = _superset(files, env, "import-directory", str(bundle), "--overwrite")
    # import-directory logs a refused file and still exits 0: read what it said.
    failures = [line for line in output.splitlines() if any(marker in line for marker in _IMPORT_FAILURES)]
    if failures:
        raise ConfigError("superset import-directory refused the bundle:\n" + "\n".join(failures[:20]))
    return env


@contextmanager
def serving(files: SupersetFiles, env: dict[str, str], port: int, timeout: float = 120.0) -> Iterator[str]:
    """Superset under gunicorn on 127.0.0.1:``port``; yields its base URL once ``/health`` says OK,
    and stops it on exit."""
    log_path = files.home / "gunicorn.log"
    argv = [
        str(files.tool("gunicorn")),
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--timeout",
        "120",
        "--bind",
        f"127.0.0.1:{port}",
        "superset.app:create_app()",
    ]
    url = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise ConfigError(f"Superset stopped at start (exit {process.returncode}); see {log_path}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ConfigError(f"Superset did not answer on {url} within {timeout:.0f} s; see {log_path}")
            time.sleep(1)
        yield url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
