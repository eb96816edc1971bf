"""The procedure catalogue's history (lịch sử danh mục TTHC), landed window by window from a past day.

The catalogue feed answers "the records changed in this interval, each at its state as of the
interval's end", and the daily run's first pull takes the whole catalogue from 2016 at that
day's state: a record changed five times since 2016 lands with its latest version only, so the
procedure marts cannot report a month before the first pull (the seed reports cite 2017-2022
figures). This backfill asks the same feed for consecutive windows (a day each by default) from
a given day, so every version that was the record's latest at the end of some window lands,
each window as a batch of its own through ``load_batch`` (contract, keys, quarantine, ledger).

- Idempotent: versions land by (key, version); landing a window again adds nothing.
- Resumable: a window whose exact interval has a loaded batch in the ledger is skipped, so after
  a failure the same command goes on from the failed window (kept in the ledger with its error).
- The watermark does not move: the daily pulls go on from where they were.
- Two changes of one record inside one window reach the warehouse as the later one, as for any
  pull: a narrower window keeps more of them.

The procedure marts are tables rebuilt by every run, so the next run reports the backfilled
months; nothing else is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import psycopg

from motcua.domain import TIME_ZONE
from motcua.landing.items import FeedItem
from motcua.landing.pulls import CATALOGUE_SCOPE, high_water_mark, land_batch
from motcua.landing.raw_sources import PROCEDURE_CATALOGUE

#: One day: the catalogue changes on a few hundred days in ten years, and a record rarely changes
#: twice in a day, so daily windows keep every version the source has kept.
DEFAULT_WINDOW = timedelta(days=1)

Window = tuple[datetime, datetime]


@dataclass
class CatalogueBackfillResult:
    """What a backfill did, in windows and in rows (rows as the ledger counts them)."""

    windows: int = 0
    landed: int = 0
    skipped: int = 0
    received: int = 0
    loaded: int = 0
    already_present: int = 0
    quarantined: int = 0
    failed: Window | None = None
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def catalogue_windows(first: date, until: datetime, window: timedelta = DEFAULT_WINDOW) -> list[Window]:
    """Consecutive windows from ``first`` (midnight, Vietnam time) up to ``until``; the last one
    ends at ``until``."""
    if window <= timedelta(0):
        raise ValueError(f"the window must be positive, got {window}")
    start = datetime.combine(first, time(0), tzinfo=TIME_ZONE)
    if start >= until:
        raise ValueError(f"nothing to backfill: {first} is not before {until.isoformat()}")
    windows = []
    while start < until:
        end = min(start + window, until)
        windows.append((start, end))
        start = end
    return windows


def backfill_end(to_day: date | None, watermark: datetime | None, now: datetime) -> datetime:
    """Where a backfill stops: the end of ``to_day`` when given, never past the daily pulls'
    watermark (they own what comes after it), nor past ``now`` before the first daily pull.

    A window past either would land as an empty batch ending in the future, and the catalogue's
    as-of date (the newest loaded interval's end) would follow it.
    """
    limit = watermark or now
    if to_day is None or to_day >= limit.astimezone(TIME_ZONE).date():
        return limit
    return datetime.combine(to_day + timedelta(days=1), time(0), tzinfo=TIME_ZONE)


def catalogue_watermark(conn: psycopg.Connection) -> datetime | None:
    """Where the daily catalogue pulls have reached, or None before the first one."""
    return high_water_mark(conn, PROCEDURE_CATALOGUE, CATALOGUE_SCOPE)


def landed_windows(conn: psycopg.Connection) -> set[Window]:
    """Intervals of the catalogue's loaded batches (a backfill's windows among them)."""
    rows = conn.execute(
        """select interval_start, interval_end from raw.batch_ledger
           where source = %s and unit_code = %s and status = 'loaded'""",
        (PROCEDURE_CATALOGUE.name, CATALOGUE_SCOPE),
    ).fetchall()
    return {(start, end) for start, end in rows}


def backfill_catalogue(
    conn: psycopg.Connection,
    fetch: Callable[[datetime, datetime], Iterable[FeedItem]],
    windows: list[Window],
    on_window: Callable[[Window, str, dict | None], None] = lambda window, outcome, counts: None,
) -> CatalogueBackfillResult:
    """Land the catalogue's changes window by window with ``fetch(start, end)``, skipping windows
    already landed, stopping at the first that fails (kept in the ledger with its error).

    ``on_window(window, outcome, counts)`` is told each window's outcome: ``landed`` (with the
    batch's counts), ``skipped`` or ``failed``.
    """
    result = CatalogueBackfillResult(windows=len(windows))
    done = landed_windows(conn)
    conn.commit()
    # Oldest first: a record's versions land in the order the source made them, and a resumed
    # run picks up where the failed one stopped.
    for window in sorted(windows):
        if window in done:
            result.skipped += 1
            on_window(window, "skipped", None)
            continue
        try:
            batch = land_batch(conn, PROCEDURE_CATALOGUE, CATALOGUE_SCOPE, fetch, window)
        except Exception as err:  # kept in the ledger by land_batch; the command reports it and stops
            result.failed, result.error = window, f"{type(err).__name__}: {err}"
            on_window(window, "failed", None)
            break
        result.landed += 1
        result.received += batch.received
        result.loaded += batch.loaded
        result.already_present += batch.already_present
        result.quarantined += batch.quarantined + batch.already_quarantined
        on_window(window, "landed", batch.summary())
    return result
