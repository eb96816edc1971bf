"""Publish validated marts in one transaction, without making BI wait.

A release copies each mart of the run from ``audit`` to ``validated`` and makes sure its
``published`` view is defined. It is one transaction, so BI sees the previous release until
the commit and the new one after it, never a mix.

An incremental mart (``meta.publish.changes``) that was published before gets only the rows its
validation read, the ones changed since its last publish, replaced by their key; the others are
copied whole. Either way the copy is ``delete`` + ``insert``: those take only row-level locks, which never wait for BI
readers and never make them wait (a reader's open transaction keeps seeing the old rows). DDL
(a new mart, a changed column list) needs an exclusive lock on what BI reads; it waits at most
``LOCK_TIMEOUT`` and then the whole release is retried, so a long BI transaction delays a
release but cannot stall it, or every BI query queued behind it, without bound.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import psycopg
import tenacity
from psycopg import sql

from motcua.failpoints import failpoint
from motcua.publishing.contract import BI_INDEX_MARK, PublishedView
from motcua.quality.gate import LatestValidation, held_codes, latest_validations, units_above, unvalidated_relations

log = logging.getLogger(__name__)

READER_ROLE = "motcua_reader"
#: How long a release waits for a lock before it gives up and tries again from the start.
LOCK_TIMEOUT = "3s"
PUBLISH_ATTEMPTS = 20


class PublishRefused(RuntimeError):
    """The run did not pass validation, so nothing may be published."""


def publish(
    conn: psycopg.Connection,
    run_id: str,
    views: list[PublishedView],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Copy each view's mart from audit to validated and (re)define its published view.

    ``views`` is the run's release: the marts it built. Each must have passed its declared suite
    in this run, by its latest result (a validation re-run after a fix counts).
    """
    built = [v for v in views if _exists(conn, v.relation)]
    failing = unvalidated_relations(conn, run_id, [v.relation for v in built])
    if failing:
        raise PublishRefused(
            f"run {run_id} has no passing validation for {', '.join(failing)}; the published schema is unchanged"
        )
    if not built:
        raise PublishRefused(f"run {run_id} built none of the marts it would publish; nothing to publish")

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(psycopg.errors.LockNotAvailable),
        stop=tenacity.stop_after_attempt(PUBLISH_ATTEMPTS),
        wait=tenacity.wait_exponential(multiplier=0.5, max=15),
        sleep=sleep,
        before_sleep=lambda state: log.warning(
            "publish of run %s waited %s for a lock held by a reader; attempt %d of %d",
            run_id,
            LOCK_TIMEOUT,
            state.attempt_number,
            PUBLISH_ATTEMPTS,
        ),
        reraise=True,
    )
    return retrying(_release, conn, run_id, built, latest_validations(conn, run_id))


def _release(
    conn: psycopg.Connection, run_id: str, built: list[PublishedView], latest: dict[str, LatestValidation]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    held = sorted({unit for v in built for unit in latest[v.relation].held_units})
    above = units_above(conn, held)
    with conn.transaction():
        conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        for v in built:
            scope = latest[v.relation].scope
            kept = held_codes(v, list(latest[v.relation].held_units), above)
            if scope is not None and _same_shape(conn, v.mart):
                counts[v.view] = _replace_changed(conn, v, scope, kept)
            else:
                counts[v.view] = _copy_mart(conn, v, kept)
            _index_copy(conn, v)
            _define_view(conn, v)
            if v.changes is not None:
                _advance_watermark(conn, v, scope)
            failpoint("publish.mart_copied")
        if any(v.holdback for v in built):
            _record_holdbacks(conn, run_id, held)
        conn.execute(
            "insert into ops.publish_log (run_id, relations, row_counts, held_units) values (%s, %s, %s, %s)",
            (run_id, [f"published.{v.view}" for v in built], json.dumps(counts), held or None),
        )
    return counts


def _record_holdbacks(conn: psycopg.Connection, run_id: str, held: list[str]) -> None:
    """Open a holdback for each unit this release held back (with the failures that named it),
    and release those it published again: their rows passed and are now what BI reads."""
    conn.execute(
        """update ops.unit_holdbacks set released_by_run = %s, released_at = now()
           where released_at is null and not (unit_code = any(%s))""",
        (run_id, held),
    )
    for unit in held:
        failures = {
            relation: [f for f in result if unit in (f.get("units") or [])]
            for relation, result in conn.execute(
                "select relation, result from ops.validation_runs where run_id = %s and not success", (run_id,)
            )
        }
        conn.execute(
            """insert into ops.unit_holdbacks (unit_code, held_by_run, reason) values (%s, %s, %s)
               on conflict (unit_code) where released_at is null do nothing""",
            (unit, run_id, json.dumps({relation: f for relation, f in failures.items() if f}, default=str)),
        )


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        """select attname, format_type(atttypid, atttypmod) from pg_attribute
           where attrelid = format('%%I.%%I', %s::text, %s::text)::regclass and attnum > 0 and not attisdropped
           order by attnum""",
        (schema, table),
    ).fetchall()


def _same_shape(conn: psycopg.Connection, mart: str) -> bool:
    return _exists(conn, f"validated.{mart}") and _columns(conn, "validated", mart) == _columns(conn, "audit", mart)


def _replace_changed(conn: psycopg.Connection, v: PublishedView, scope: dict, kept: list[str] = ()) -> int:
    """Replace, in validated.<mart>, every row sharing a key with a row changed since the last
    publish (the rows the validation read) by audit's rows of those keys; returns how many rows
    were written. Rows of other keys are not read, so the cost follows what the run changed.
    The rows of the ``kept`` units (held back) stay as they were published."""
    source, target = sql.Identifier("audit", v.mart), sql.Identifier("validated", v.mart)
    key = sql.Identifier(scope["key"])
    changed = sql.SQL("select distinct {} from {} where {} and {}").format(
        key, source, sql.SQL(scope["predicate"]), _not_kept(v, kept)
    )
    conn.execute(sql.SQL("create temporary table changed_keys on commit drop as {}").format(changed))
    conn.execute("analyze changed_keys")
    # Reach the changed keys through the key indexes: a hash join reads both copies whole, which
    # the planner prefers for a day's 30 k dossiers and which grows with history (benchmark at
    # half a province: 1.07 s with 1 year, 2.12 s with 3; by index 1.25 s and 1.48 s).
    conn.execute("set local enable_hashjoin = off")
    conn.execute("set local enable_mergejoin = off")
    conn.execute(
        sql.SQL("delete from {} t using changed_keys c where t.{} = c.{} and {}").format(
            target, key, key, _not_kept(v, kept, "t")
        )
    )
    written = conn.execute(
        sql.SQL("insert into {} select s.* from {} s join changed_keys c on s.{} = c.{} where {}").format(
            target, source, key, key, _not_kept(v, kept, "s")
        )
    ).rowcount
    conn.execute("reset enable_hashjoin")
    conn.execute("reset enable_mergejoin")
    conn.execute("drop table changed_keys")
    return written


def _not_kept(v: PublishedView, kept: list[str], alias: str | None = None) -> sql.Composable:
    """SQL true for the rows a release writes: all but those of the ``kept`` (held-back) units."""
    predicate = v.held_predicate(kept, alias)
    return sql.SQL(f"not {predicate}" if predicate else "true")


def _advance_watermark(conn: psycopg.Connection, v: PublishedView, scope: dict | None) -> None:
    """Record the highest load sequence now published: the next release starts above it."""
    assert v.changes is not None
    if scope is not None:
        upto = scope["upto"]
    else:
        upto = conn.execute(
            sql.SQL("select coalesce(max({}), -1) from {}").format(
                sql.Identifier(v.changes.column), sql.Identifier("audit", v.mart)
            )
        ).fetchone()[0]
    conn.execute(
        """insert into ops.publish_watermarks (mart, scope_column, published_upto) values (%s, %s, %s)
           on conflict (mart) do update
           set scope_column = excluded.scope_column, published_upto = excluded.published_upto, published_at = now()""",
        (v.mart, v.changes.column, upto),
    )


def _copy_mart(conn: psycopg.Connection, v: PublishedView, kept: list[str] = ()) -> int:
    """Make validated.<mart> equal audit.<mart>, except the rows of the ``kept`` units (held
    back), which stay as they were published; returns how many rows were copied. A mart whose
    columns changed is created anew, so it has no published rows to keep for held units."""
    mart = v.mart
    source, target = sql.Identifier("audit", mart), sql.Identifier("validated", mart)
    not_kept = _not_kept(v, kept)
    if _same_shape(conn, mart):
        conn.execute(sql.SQL("delete from {} where {}").format(target, not_kept))
    else:
        # A new mart or a changed column list: DDL, under the release's lock timeout.
        conn.execute(sql.SQL("drop table if exists {} cascade").format(target))
        conn.execute(sql.SQL("create table {} (like {})").format(target, source))
    copied = conn.execute(sql.SQL("insert into {} select * from {} where {}").format(target, source, not_kept)).rowcount
    # Fresh statistics for BI's plans now, not whenever autovacuum comes by (readers are not blocked).
    conn.execute(sql.SQL("analyze {}").format(target))
    return copied


def _index_copy(conn: psycopg.Connection, v: PublishedView) -> None:
    """The mart's declared BI indexes on its published copy: the missing ones built, those no
    longer declared dropped, so a release that changes nothing here takes no DDL lock."""
    present = {
        name
        for (name,) in conn.execute(
            "select indexname from pg_indexes where schemaname = 'validated' and tablename = %s", (v.mart,)
        )
        if BI_INDEX_MARK in name
    }
    wanted = {v.index_name(columns): columns for columns in v.indexes}
    if v.changes is not None:
        # Publishing replaces changed rows by their key: find them without scanning the copy.
        wanted.setdefault(v.index_name((v.changes.key,)), (v.changes.key,))
    for name in sorted(present - wanted.keys()):
        conn.execute(sql.SQL("drop index {}").format(sql.Identifier("validated", name)))
    for name, columns in wanted.items():
        if name not in present:
            conn.execute(
                sql.SQL("create index {} on {} ({})").format(
                    sql.Identifier(name),
                    sql.Identifier("validated", v.mart),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                )
            )


def _define_view(conn: psycopg.Connection, v: PublishedView) -> None:
    """Create the published view unless it already reads exactly these columns of validated.<mart>,
    filtered by the reader's units when the mart has a unit column."""
    view = sql.Identifier("published", v.view)
    wanted = [name for name, _ in v.columns]
    if (
        _exists(conn, f"published.{v.view}")
        and _view_reads(conn, v)
        and _column_names(conn, v.view) == wanted
        and _filters_units(conn, v.view) == bool(v.unit_column)
    ):
        _comment_if_changed(conn, v)
        return
    conn.execute(sql.SQL("drop view if exists {}").format(view))
    cols = sql.SQL(", ").join(sql.Identifier(name) for name in wanted)
    source = sql.Identifier("validated", v.mart)
    if v.unit_column:
        # A login scoped to units (ops.reader_scopes) sees only their rows. The functions run once
        # per query (sub-selects); security_barrier keeps a reader's own functions from seeing the
        # rows the filter removes.
        conn.execute(
            sql.SQL(
                "create view {} with (security_barrier = true) as select {} from {} "
                "where (select motcua_access.sees_every_unit()) or {} in (select unnest(motcua_access.visible_units()))"
            ).format(view, cols, source, sql.Identifier(v.unit_column))
        )
    else:
        conn.execute(sql.SQL("create view {} as select {} from {}").format(view, cols, source))
    conn.execute(sql.SQL("grant select on {} to {}").format(view, sql.Identifier(READER_ROLE)))
    _comment_if_changed(conn, v)


def _filters_units(conn: psycopg.Connection, view: str) -> bool:
    """Whether the published view filters rows by the reader's units (a security-barrier view)."""
    options = conn.execute(
        "select coalesce(reloptions, '{}') from pg_class where oid = format('published.%%I', %s::text)::regclass",
        (view,),
    ).fetchone()[0]
    return "security_barrier=true" in options


def _column_names(conn: psycopg.Connection, view: str) -> list[str]:
    return [name for name, _ in _columns(conn, "published", view)]


def _view_reads(conn: psycopg.Connection, v: PublishedView) -> bool:
    """Whether the published view depends on validated.<mart> (and not on a dropped copy)."""
    return conn.execute(
        """select exists (
               select 1 from pg_depend d
               join pg_rewrite r on r.oid = d.objid
               where r.ev_class = format('published.%%I', %s::text)::regclass
                 and d.refobjid = format('validated.%%I', %s::text)::regclass)""",
        (v.view, v.mart),
    ).fetchone()[0]


def _comment_if_changed(conn: psycopg.Connection, v: PublishedView) -> None:
    """Comments are what BI tools show; rewrite only those that differ (no lock taken otherwise)."""
    view = sql.Identifier("published", v.view)
    regclass = f'published."{v.view}"'
    current = conn.execute("select obj_description(%s::regclass, 'pg_class')", (regclass,)).fetchone()[0]
    if (current or "") != v.description:
        conn.execute(sql.SQL("comment on view {} is {}").format(view, sql.Literal(v.description)))
    documented = dict(
        conn.execute(
            """select attname, col_description(attrelid, attnum) from pg_attribute
               where attrelid = %s::regclass and attnum > 0 and not attisdropped""",
            (regclass,),
        ).fetchall()
    )
    for name, description in v.columns:
        if (documented.get(name) or "") != description:
            conn.execute(
                sql.SQL("comment on column {}.{} is {}").format(view, sql.Identifier(name), sql.Literal(description))
            )
