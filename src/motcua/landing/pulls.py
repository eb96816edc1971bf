"""A pull: one source's changes for one unit and interval, landed as a batch that moves the unit's
watermark only when it committed. The DAG tasks that call it are in ``orchestration/tasks.py``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

import psycopg

from motcua.failpoints import failpoint
from motcua.landing.items import FeedItem
from motcua.landing.ledger import record_failed_batch, seal_loaded_batches
from motcua.landing.loader import BatchResult, advance_watermark, load_batch
from motcua.landing.raw_sources import RawSource

#: Records committed at the source shortly before an interval ended can show up late; each pull
#: starts this much earlier. Re-reading is harmless: loads are idempotent by (key, version).
OVERLAP = timedelta(hours=1)
#: The procedure catalogue is one per province: its batches and watermark use this scope.
CATALOGUE_SCOPE = "province"
#: The catalogue's first pull takes all of it, whatever day the units' first pulls start from:
#: landing checks every dossier's procedure code against it, and it is small (a few thousand
#: records). The national database of procedures has served the current codes since 2016.
CATALOGUE_FIRST_PULL_FROM = datetime(2016, 1, 1, tzinfo=timezone(timedelta(hours=7)))


def pull_since(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    start: datetime,
    initial_load_from: datetime | None = None,
) -> datetime:
    """Where a pull for an interval starting at ``start`` begins.

    Normally ``start - OVERLAP``. If the unit's high-water mark lags behind ``start`` (earlier
    runs failed or were skipped for this unit), the pull starts from the mark instead, so the
    gap is caught up. A unit pulled for the first time (no mark) starts at
    ``initial_load_from`` when that is earlier. A backfill of an old interval starts at its
    own start: the mark only ever widens a pull, never narrows it.
    """
    mark = high_water_mark(conn, source, unit_code)
    since = start
    if mark is not None and mark < start:
        since = mark
    elif mark is None and initial_load_from is not None and initial_load_from < start:
        since = initial_load_from
    return since - OVERLAP


def high_water_mark(conn: psycopg.Connection, source: RawSource, unit_code: str) -> datetime | None:
    """How far the unit's pulls of ``source`` have landed, or None before its first pull."""
    row = conn.execute(
        "select high_water_mark from raw.watermarks where source = %s and unit_code = %s",
        (source.name, unit_code),
    ).fetchone()
    return row[0] if row else None


def land_pull(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    fetch: Callable[[datetime, datetime], Iterable[FeedItem]],
    start: datetime,
    end: datetime,
    initial_load_from: datetime | None,
) -> dict:
    """Pull ``source`` for ``unit_code`` with ``fetch(since, end)`` and land it as one batch whose
    watermark moves in the batch's transaction (:func:`land_batch`)."""
    since = pull_since(conn, source, unit_code, start, initial_load_from)

    def move_watermark() -> None:
        # In the batch's transaction: the mark moves only past what was really landed.
        advance_watermark(conn, source, unit_code, end)
        failpoint("landing.watermark_moved")

    return land_batch(conn, source, unit_code, fetch, (since, end), before_commit=move_watermark).summary()


def land_batch(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    fetch: Callable[[datetime, datetime], Iterable[FeedItem]],
    interval: tuple[datetime, datetime],
    before_commit: Callable[[], None] | None = None,
) -> BatchResult:
    """Land ``fetch(*interval)`` as one batch, with ``before_commit()`` in its transaction.

    A failed batch is kept in the ledger with its error and raised; the committed batch is then
    sealed (given its load sequence).
    """
    batch_id = uuid.uuid4()
    try:
        result = load_batch(conn, source, unit_code, interval, fetch(*interval), batch_id=batch_id)
        if before_commit is not None:
            before_commit()
        conn.commit()
    except Exception as err:
        conn.rollback()
        record_failed_batch(conn, batch_id, source, unit_code, interval, err)
        conn.commit()
        raise
    failpoint("landing.committed_not_sealed")
    seal_loaded_batches(conn)
    return result
