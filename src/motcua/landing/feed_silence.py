"""Silent feeds: a unit whose system still answers but has sent nothing for too long.

A commune's one-stop desk receives and settles dossiers every working day, its kiosk collects
ratings, its e-office sends documents. When one of them delivers nothing for days, the pull
succeeds with zero items and no other check notices: the unit simply vanishes from the figures.
So, per source and unit the run pulled, the last batch that delivered anything is looked up in
``raw.batch_ledger``; a unit silent for longer than its source's threshold
(``config.feed_silent_days``) is a silent feed.

Why not dbt source freshness: it judges a whole table by its newest row, so one busy commune
keeps the table fresh while another has been silent for a month. The question is per unit.

Each silence is recorded once in ``ops.feed_silences`` (source, unit, silent since), so the alert
is raised the day it crosses the threshold and not again every day after; the first batch that
delivers again closes it, and the run says which feeds resumed.

Cost: the look-back is bounded (``config.FEED_SILENCE_LOOK_BACK_DAYS``; a unit silent for longer
is reported silent since the window's start, "at least this long") and indexed by (source, unit,
interval end), so a day's check reads the run's units' recent ledger rows, never the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from motcua.config import FEED_SILENCE_LOOK_BACK_DAYS as LOOK_BACK_DAYS
from motcua.config import feed_silent_days
from motcua.landing.raw_sources import RawSource


@dataclass(frozen=True)
class SilentFeed:
    source: str
    unit_code: str
    #: End of the last interval that delivered items, or the start of the first batch in the
    #: look-back window when none did.
    silent_since: datetime
    #: Whether a delivery was found in the window (False: silent at least since ``silent_since``).
    delivered_before: bool
    threshold_days: float

    def days_silent(self, as_of: datetime) -> float:
        return (as_of - self.silent_since).total_seconds() / 86400


@dataclass(frozen=True)
class SilenceReport:
    #: Silences first seen by this run (alerted); those still open from earlier runs are not
    #: alerted again.
    new: list[SilentFeed]
    #: (source, unit_code, silent_since) of silences this run's batches ended.
    resumed: list[tuple[str, str, datetime]]


def find_silent_feeds(
    conn: psycopg.Connection, sources: Iterable[RawSource], start: datetime, end: datetime
) -> list[SilentFeed]:
    """Per source, the units with a batch in [start, end) whose last delivery ended more than the
    source's threshold before ``end``. Only ledger rows up to ``end`` count, so a backfilled day
    is judged as it would have been on that day."""
    silent = []
    for source in sources:
        threshold = feed_silent_days(source.name)
        if threshold == 0:
            continue
        rows = conn.execute(
            """with pulled as (
                   select distinct unit_code from raw.batch_ledger
                   where source = %(source)s and interval_start < %(end)s and interval_end > %(start)s
               )
               select p.unit_code, w.last_delivery, w.first_seen
               from pulled p
               cross join lateral (
                   select max(b.interval_end) filter (where b.received > 0) as last_delivery,
                          min(b.interval_start) as first_seen
                   from raw.batch_ledger b
                   where b.source = %(source)s and b.unit_code = p.unit_code
                     and b.interval_end <= %(end)s and b.interval_end > %(window)s
               ) w
               order by p.unit_code""",
            {"source": source.name, "start": start, "end": end, "window": end - timedelta(days=LOOK_BACK_DAYS)},
        ).fetchall()
        for unit_code, last_delivery, first_seen in rows:
            since = last_delivery or max(first_seen or start, end - timedelta(days=LOOK_BACK_DAYS))
            if end - since > timedelta(days=threshold):
                silent.append(SilentFeed(source.name, unit_code, since, last_delivery is not None, threshold))
    return silent


def record_silences(
    conn: psycopg.Connection, run_id: str, sources: Iterable[RawSource], start: datetime, end: datetime
) -> SilenceReport:
    """Find the silent feeds, record the new ones and close those that delivered again."""
    sources = list(sources)
    silent = find_silent_feeds(conn, sources, start, end)
    # A silence ends when the unit delivers after it began (on or before this run's end).
    conn.execute(
        """update ops.feed_silences s set resumed_by_run = %(run_id)s, resumed_at = now()
           where s.resumed_at is null and s.source = any(%(sources)s)
             and exists (select 1 from raw.batch_ledger b
                         where b.source = s.source and b.unit_code = s.unit_code and b.received > 0
                           and b.interval_end > s.silent_since and b.interval_end <= %(end)s)""",
        {"run_id": run_id, "sources": [s.name for s in sources], "end": end},
    )
    for feed in silent:
        conn.execute(
            """insert into ops.feed_silences (source, unit_code, silent_since, delivered_before, threshold_days,
                                              detected_by_run)
               values (%s, %s, %s, %s, %s, %s)
               on conflict (source, unit_code) where resumed_at is null do nothing""",
            (feed.source, feed.unit_code, feed.silent_since, feed.delivered_before, feed.threshold_days, run_id),
        )
    conn.commit()
    # What this run detected or closed, read back: a retry of the run reports the same (its
    # alerts are de-duplicated per run), even when the first try committed and then failed.
    detected = {
        (source, unit)
        for source, unit in conn.execute(
            "select source, unit_code from ops.feed_silences where detected_by_run = %s", (run_id,)
        )
    }
    resumed = conn.execute(
        """select source, unit_code, silent_since from ops.feed_silences
           where resumed_by_run = %s order by source, unit_code""",
        (run_id,),
    ).fetchall()
    return SilenceReport(
        new=[f for f in silent if (f.source, f.unit_code) in detected],
        resumed=[tuple(r) for r in resumed],
    )


def open_silences(conn: psycopg.Connection) -> int:
    """How many silent feeds are still open (alerted, not delivering again)."""
    return conn.execute("select count(*) from ops.feed_silences where resumed_at is null").fetchone()[0]
