"""Connections to the warehouse from tasks and commands, with one clear line when it is unreachable.

Inside an Airflow task a refused connection used to surface as psycopg's multi-line error or as
a long Great Expectations traceback; the person on call needs where and what to check.
"""

from __future__ import annotations

import psycopg

from motcua.config import ConfigError, PostgresTarget, warehouse_url_for_tasks


class WarehouseUnreachable(ConfigError):
    """The warehouse refused or did not answer a connection."""


def unreachable_message(url: str, err: Exception) -> str:
    """``Cannot connect to the warehouse at host:port/db as user: <psycopg's last line>. Check ...``"""
    target = PostgresTarget.from_url(url)
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()]
    reason = lines[-1] if lines else type(err).__name__
    return (
        f"Cannot connect to the warehouse at {target.host}:{target.port}/{target.dbname} as {target.user}: "
        f"{reason}. Check MOTCUA_WAREHOUSE_URL (or the Airflow connection motcua_warehouse), "
        "or unset it to use the embedded PostgreSQL."
    )


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """``psycopg.connect`` to ``url`` (default: the task's warehouse) that fails in one line."""
    url = url or warehouse_url_for_tasks()
    kwargs.setdefault("connect_timeout", 10)
    try:
        return psycopg.connect(url, **kwargs)
    except psycopg.OperationalError as err:
        raise WarehouseUnreachable(unreachable_message(url, err)) from None
