"""Publish validated marts in one transaction.

Either every mart is copied from ``audit`` to ``validated`` and every published view is
redefined, or (on any error) nothing changes: PostgreSQL DDL is transactional, so BI sees
the previous publication until the commit and the new one after it, never a mix.
"""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from motcua.publishing.contract import PublishedView
from motcua.quality.gate import run_is_valid

READER_ROLE = "motcua_reader"


class PublishRefused(RuntimeError):
    """The run did not pass validation, so nothing may be published."""


def publish(conn: psycopg.Connection, run_id: str, views: list[PublishedView]) -> dict[str, int]:
    """Copy each view's mart from audit to validated and (re)define the published view."""
    if not run_is_valid(conn, run_id):
        raise PublishRefused(f"run {run_id} has no passing validation; the published schema is unchanged")
    counts: dict[str, int] = {}
    # A mart another DAG builds (e.g. the portal scores) may not exist yet: it is skipped,
    # and the published view of an earlier publication, if any, stays as it was.
    built = [v for v in views if conn.execute("select to_regclass(%s)", (f"audit.{v.mart}",)).fetchone()[0]]
    with conn.transaction():
        for v in built:
            mart = sql.Identifier("validated", v.mart)
            view = sql.Identifier("published", v.view)
            conn.execute(sql.SQL("drop view if exists {} cascade").format(view))
            conn.execute(sql.SQL("drop table if exists {} cascade").format(mart))
            conn.execute(sql.SQL("create table {} as select * from {}").format(mart, sql.Identifier("audit", v.mart)))
            cols = sql.SQL(", ").join(sql.Identifier(name) for name, _ in v.columns)
            conn.execute(sql.SQL("create view {} as select {} from {}").format(view, cols, mart))
            conn.execute(sql.SQL("comment on view {} is {}").format(view, sql.Literal(v.description)))
            for name, description in v.columns:
                conn.execute(
                    sql.SQL("comment on column {}.{} is {}").format(
                        view, sql.Identifier(name), sql.Literal(description)
                    )
                )
            conn.execute(sql.SQL("grant select on {} to {}").format(view, sql.Identifier(READER_ROLE)))
            row = conn.execute(sql.SQL("select count(*) from {}").format(mart)).fetchone()
            assert row is not None
            counts[v.view] = row[0]
        conn.execute(
            "insert into ops.publish_log (run_id, relations, row_counts) values (%s, %s, %s)",
            (run_id, [f"published.{v.view}" for v in built], json.dumps(counts)),
        )
    return counts
