"""The batch ledger (raw.batch_ledger): failed pulls kept with their error, and the commit-ordered
load sequence that incremental models read. ``load_batch`` writes a loaded batch's own row."""

from __future__ import annotations

import uuid
from datetime import datetime

import psycopg

from motcua.landing.raw_sources import RawSource


def record_failed_batch(
    conn: psycopg.Connection,
    batch_id: uuid.UUID,
    source: RawSource,
    unit_code: str,
    interval: tuple[datetime, datetime],
    error: BaseException,
) -> None:
    """Keep a failed pull in the ledger with its error (the caller has rolled back its work)."""
    conn.execute(
        """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                                         finished_at, error)
           values (%s, %s, %s, %s, %s, 'failed', now(), %s)
           on conflict (batch_id) do update set status = 'failed', finished_at = now(), error = excluded.error""",
        (batch_id, source.name, unit_code, interval[0], interval[1], f"{type(error).__name__}: {error}"[:2000]),
    )


def seal_loaded_batches(conn: psycopg.Connection) -> int:
    """Number every committed, unnumbered batch with the next load sequence; returns how many.

    Incremental dbt models pick up "what landed since the last build" by this number, so it
    must follow commit order: a time taken when a batch starts does not (a batch that starts
    early and commits during a build would carry a mark older than the build's and be skipped
    for good). The number is given here, after the batch committed, under a lock, so a build
    that sees number n has seen every batch numbered below n. Run in its own transaction.
    """
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('motcua.seal_loaded_batches'))")
        return conn.execute(
            """update raw.batch_ledger set load_seq = nextval('raw.batch_load_seq')
               where status = 'loaded' and load_seq is null"""
        ).rowcount
