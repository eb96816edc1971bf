"""Extract-load jobs: pull one unit's changes for an interval into the raw layer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from functools import partial

import psycopg

from motcua.config import feed_timeouts, one_stop_feed_url, portal_feed_url
from motcua.failpoints import failpoint
from motcua.feeds.one_stop import FeedItem, OneStopClient
from motcua.feeds.portal import PortalClient
from motcua.landing.ledger import (
    EOFFICE_DOCUMENTS,
    ONE_STOP_DOSSIERS,
    PORTAL_EVALUATIONS,
    PROCEDURE_CATALOGUE,
    SATISFACTION_RATINGS,
    RawSource,
)
from motcua.landing.loader import advance_watermark, load_batch, record_failed_batch, seal_loaded_batches
from motcua.warehouse.connect import connect

#: Records committed at the source shortly before an interval ended can show up late; each pull
#: starts this much earlier. Re-reading is harmless: loads are idempotent by (key, version).
OVERLAP = timedelta(hours=1)
#: The procedure catalogue is one per province: its batches and watermark use this scope.
CATALOGUE_SCOPE = "province"
#: The catalogue's first pull takes all of it, whatever day the units' first pulls start from:
#: landing checks every dossier's procedure code against it, and it is small (a few thousand
#: records). The national database of procedures has served the current codes since 2016.
CATALOGUE_FIRST_PULL_FROM = datetime(2016, 1, 1, tzinfo=timezone(timedelta(hours=7)))


def _one_stop_client() -> OneStopClient:
    timeout, backoff = feed_timeouts()
    return OneStopClient(one_stop_feed_url(), timeout=timeout, backoff_seconds=backoff)


def units_to_pull(day: date) -> list[str]:
    """Codes of the units whose one-stop system operates on ``day``, as the source lists them."""
    with _one_stop_client() as client:
        return [u["unit_code"] for u in client.units(day)]


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
    row = conn.execute(
        "select high_water_mark from raw.watermarks where source = %s and unit_code = %s",
        (source.name, unit_code),
    ).fetchone()
    since = start
    if row is not None and row[0] < start:
        since = row[0]
    elif row is None and initial_load_from is not None and initial_load_from < start:
        since = initial_load_from
    return since - OVERLAP


def _land(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    fetch: Callable[[datetime, datetime], Iterable[FeedItem]],
    start: datetime,
    end: datetime,
    initial_load_from: datetime | None,
) -> dict:
    since = pull_since(conn, source, unit_code, start, initial_load_from)
    batch_id = uuid.uuid4()
    try:
        result = load_batch(conn, source, unit_code, (since, end), fetch(since, end), batch_id=batch_id)
        # The watermark moves in the batch's transaction: only past what was really landed.
        advance_watermark(conn, source, unit_code, end)
        failpoint("landing.watermark_moved")
        conn.commit()
    except Exception as err:
        conn.rollback()
        record_failed_batch(conn, batch_id, source, unit_code, (since, end), err)
        conn.commit()
        raise
    failpoint("landing.committed_not_sealed")
    seal_loaded_batches(conn)
    return result.summary()


def extract_load_unit(
    unit_code: str, start: datetime, end: datetime, initial_load_from: datetime | None = None
) -> dict[str, dict]:
    """Land one unit's dossiers, satisfaction ratings and e-office documents for the interval.

    Each source is its own batch with its own watermark, committed as soon as it is landed,
    so a retry after a failure re-pulls only what is idempotent anyway.
    """
    with _one_stop_client() as client, connect() as conn:
        return {
            source.name: _land(conn, source, unit_code, partial(fetch, unit_code), start, end, initial_load_from)
            for source, fetch in (
                (ONE_STOP_DOSSIERS, client.dossiers),
                (SATISFACTION_RATINGS, client.ratings),
                (EOFFICE_DOCUMENTS, client.documents),
            )
        }


def extract_load_procedures(start: datetime, end: datetime) -> dict:
    """Land the procedure catalogue's changes for the interval (one catalogue per province);
    the first pull lands the whole catalogue."""
    with _one_stop_client() as client, connect() as conn:
        return _land(
            conn, PROCEDURE_CATALOGUE, CATALOGUE_SCOPE, client.procedures, start, end, CATALOGUE_FIRST_PULL_FROM
        )


def extract_load_portal(province: str, period_type: str, period: str, interval: tuple[datetime, datetime]) -> dict:
    """Land the portal's Decision 766 evaluation of every child unit for one period."""
    with PortalClient(portal_feed_url()) as client, connect() as conn:
        result = load_batch(
            conn, PORTAL_EVALUATIONS, province, interval, client.evaluations(province, period_type, period)
        )
        conn.commit()
        seal_loaded_batches(conn)
    return result.summary()
