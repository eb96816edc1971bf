"""Create the warehouse database, its schemas and roles. Safe to run on every start."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from motcua.config import PostgresTarget
from motcua.warehouse.connect import WarehouseUnreachable, unreachable_message

BOOTSTRAP_SQL = Path(__file__).with_name("bootstrap.sql")


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if the server does not have it yet."""
    target = PostgresTarget.from_url(url)
    try:
        with psycopg.connect(url, connect_timeout=10):
            return
    except psycopg.OperationalError as err:
        if "does not exist" not in str(err):
            raise WarehouseUnreachable(unreachable_message(url, err)) from None
    maintenance = PostgresTarget(target.host, target.port, target.user, target.password, "postgres")
    with psycopg.connect(maintenance.libpq_url(), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(target.dbname)))


def bootstrap(url: str) -> None:
    """Ensure the database exists and apply ``bootstrap.sql`` (schemas, roles, ops tables)."""
    ensure_database(url)
    from motcua.landing.raw_sources import RAW_DDL

    with psycopg.connect(url, autocommit=False) as conn:
        # Serialise concurrent bootstraps (parallel tests, several workers starting at once).
        conn.execute("select pg_advisory_xact_lock(hashtext('motcua.bootstrap'))")
        conn.execute(BOOTSTRAP_SQL.read_text())
        conn.execute(RAW_DDL)
