"""Process environment for Airflow, dbt and GX when run by the ``motcua`` command.

Airflow's home, logs and metadata database (SQLite) live in the state folder; connections
are exported as ``AIRFLOW_CONN_*`` variables, never written to a file.
"""

from __future__ import annotations

import os

from motcua.config import ONE_STOP_CONN_ID, PORTAL_CONN_ID, Settings


def airflow_env(settings: Settings) -> dict[str, str]:
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": os.environ.get("AIRFLOW__CORE__UNIT_TEST_MODE", "False"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
        "AIRFLOW__API__EXPOSE_CONFIG": "False",
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
        "GX_ANALYTICS_ENABLED": "false",
    }


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
