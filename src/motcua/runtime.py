"""Process environment for Airflow, dbt and GX when run by the ``motcua`` command.

Airflow's home, logs and metadata database (SQLite) live in the state folder; connections
are exported as ``AIRFLOW_CONN_*`` variables, never written to a file.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from motcua.config import ONE_STOP_CONN_ID, PORTAL_CONN_ID, Settings
from motcua.domain import TIME_ZONE_NAME


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def task_parallelism(cpus: int | None = None) -> int:
    """How many task instances Airflow runs at once: two a CPU, between 2 and Airflow's default 32.

    Tasks mostly wait on the feeds, PostgreSQL or a dbt subprocess, so two a CPU keeps the CPUs
    busy without swapping (each task process holds its own Python with Airflow loaded). With the
    LocalExecutor this is also how many worker processes start.
    """
    return max(2, min(32, 2 * (cpus or cpu_count())))


def airflow_env(settings: Settings) -> dict[str, str]:
    home = settings.airflow_home
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": os.environ.get("AIRFLOW__CORE__UNIT_TEST_MODE", "False"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # The LocalExecutor starts [core] parallelism workers (32 by default, whatever the machine).
        "AIRFLOW__CORE__PARALLELISM": str(task_parallelism()),
        # Naive dates (CLI arguments such as ``backfill --from-date``) are Vietnamese dates, and so are
        # the timestamps of Airflow's logs. (The UI shows the browser's time zone, or the one chosen in
        # its user menu: Airflow 3 has no server setting for it.)
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": TIME_ZONE_NAME,
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
        "AIRFLOW__API__EXPOSE_CONFIG": "False",
        # Cosmos names a dbt model's asset after OpenLineage: postgres://host:port/db/schema/table. Airflow 3
        # accepts only that form; this says so and silences Cosmos's warning about it in every dbt task.
        "AIRFLOW__COSMOS__USE_DATASET_AIRFLOW3_URI_STANDARD": "True",
        # Cosmos's plugin serves the dbt docs site `motcua dbt-docs` writes: Browse > dbt Docs (Motcua).
        "AIRFLOW__COSMOS__DBT_DOCS_PROJECTS": json.dumps(
            {"motcua": {"dir": str(settings.dbt_docs_dir), "index": "index.html", "name": "dbt Docs (Motcua)"}}
        ),
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
        "GX_ANALYTICS_ENABLED": "false",
    }
    if not (os.environ.get("AIRFLOW__API__BASE_URL") or os.environ.get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL")):
        # Tasks report to the API server; Airflow assumes port 8080 whatever AIRFLOW__API__PORT says.
        port = os.environ.get("AIRFLOW__API__PORT", "8080")
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{port}/execution/"
    return env


def export_airflow_env(settings: Settings) -> None:
    """Set the Airflow variables unless the user set them (an explicit setting always wins)."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    for key, value in airflow_env(settings).items():
        os.environ.setdefault(key, value)


def export_feed_connection(base_url: str) -> None:
    """Point the one-stop and portal connections at ``base_url`` (the simulator serves both)."""
    os.environ[f"AIRFLOW_CONN_{ONE_STOP_CONN_ID.upper()}"] = base_url
    os.environ["MOTCUA_FEED_URL"] = base_url
    os.environ[f"AIRFLOW_CONN_{PORTAL_CONN_ID.upper()}"] = base_url
    os.environ["MOTCUA_PORTAL_URL"] = base_url
    # The simulator is this machine's own server: no need to space requests as for the real portal.
    os.environ.setdefault("MOTCUA_PORTAL_REQUEST_INTERVAL_SECONDS", "0")
    # Unlike the real portal, the simulator answers as of any day (the runs' days are simulated).
    os.environ.setdefault("MOTCUA_PORTAL_SERVES_AS_OF", "1")


def tools_bin_dir() -> Path:
    """The folder of this interpreter's console scripts (``airflow``, ``dbt``): the virtualenv's ``bin``.

    Not resolved: a virtualenv's ``python`` is a symlink to the base interpreter, whose folder
    holds neither tool.
    """
    return Path(sys.executable).parent


def tool_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the tools' folder first on ``PATH``.

    ``airflow standalone`` starts its components as ``airflow ...`` from ``PATH``, and Cosmos or
    a task may look dbt up there; run as ``.venv/bin/motcua`` without an activated virtualenv,
    they would not be found.
    """
    env = dict(os.environ if base is None else base)
    bin_dir = str(tools_bin_dir())
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir]
    env["PATH"] = os.pathsep.join([bin_dir, *rest])
    return env
