"""Raw-feed checks before dbt: each source's batches of a run against its thresholds.

Landing already keeps every bad item out of raw (quarantine, with its reason). What it cannot
judge alone is a source's day as a whole: a system that sends a third of its records broken is
likely sending the rest incomplete too. So, per source and run, the share of received items that
went to quarantine is compared with two thresholds (``config.feed_check_thresholds``):

- above ``warn``: the run publishes and alerts (warning);
- above ``block`` (and at least ``BLOCK_MIN_QUARANTINED`` items): nothing built from that source
  is published this run (the marts downstream of its raw table in the dbt lineage); the other
  sources' figures are, and the alert says which views kept their previous release.

A batch that failed (the source was unreachable after every retry) warns too. Results are kept
in ``ops.feed_checks``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from motcua.config import feed_check_thresholds
from motcua.landing.raw_sources import RawSource

#: A source is blocked only when at least this many items were quarantined (two bad items of
#: five received are a share, not a broken system).
BLOCK_MIN_QUARANTINED = 5


@dataclass
class FeedCheck:
    source: str
    received: int
    quarantined: int
    failed_batches: int
    level: str  # ok | warn | block
    warn_share: float
    block_share: float
    #: Per unit with quarantined items or failed batches: (unit, received, quarantined, failed).
    units: list[tuple[str, int, int, int]] = field(default_factory=list)
    #: The most frequent quarantine reasons, with their counts.
    reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.quarantined / self.received if self.received else 0.0


def check_feeds(
    conn: psycopg.Connection, run_id: str, sources: Iterable[RawSource], start: datetime, end: datetime
) -> list[FeedCheck]:
    """Check each source's batches whose interval overlaps [start, end) and record the results."""
    checks = []
    for source in sources:
        warn, block = feed_check_thresholds(source.name)
        per_unit = conn.execute(
            """select unit_code, sum(received), sum(quarantined), count(*) filter (where status = 'failed')
               from raw.batch_ledger
               where source = %s and interval_start < %s and interval_end > %s
               group by unit_code order by unit_code""",
            (source.name, end, start),
        ).fetchall()
        received = sum(r for _, r, _, _ in per_unit)
        quarantined = sum(q for _, _, q, _ in per_unit)
        failed = sum(f for _, _, _, f in per_unit)
        share = quarantined / received if received else 0.0
        if share > block and quarantined >= BLOCK_MIN_QUARANTINED:
            level = "block"
        elif share > warn or failed:
            level = "warn"
        else:
            level = "ok"
        reasons = conn.execute(
            """select q.reason, count(*) from raw.quarantine q
               join raw.batch_ledger b using (batch_id)
               where b.source = %s and b.interval_start < %s and b.interval_end > %s
               group by q.reason order by count(*) desc, q.reason limit 5""",
            (source.name, end, start),
        ).fetchall()
        check = FeedCheck(
            source=source.name,
            received=received,
            quarantined=quarantined,
            failed_batches=failed,
            level=level,
            warn_share=warn,
            block_share=block,
            units=[(u, r, q, f) for u, r, q, f in per_unit if q or f],
            reasons=[(reason, n) for reason, n in reasons],
        )
        conn.execute(
            """insert into ops.feed_checks (run_id, source, received, quarantined, failed_batches, level, details)
               values (%s, %s, %s, %s, %s, %s, %s)""",
            (
                run_id,
                source.name,
                received,
                quarantined,
                failed,
                level,
                json.dumps({"units": check.units, "reasons": check.reasons, "warn": warn, "block": block}),
            ),
        )
        checks.append(check)
    conn.commit()
    return checks


def blocked_sources(conn: psycopg.Connection, run_id: str) -> list[str]:
    """The sources whose latest check in this run blocks their figures."""
    return [
        source
        for (source,) in conn.execute(
            """select source from (
                   select distinct on (source) source, level from ops.feed_checks
                   where run_id = %s order by source, checked_at desc, feed_check_id desc) latest
               where level = 'block' order by source""",
            (run_id,),
        )
    ]


def marts_built_from(manifest_path: Path, raw_tables: Iterable[str]) -> set[str]:
    """The marts (models built into ``audit``) downstream of the given raw tables in dbt's lineage."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    wanted = set(raw_tables)
    frontier = [
        uid
        for uid, node in manifest["sources"].items()
        if node["schema"] == "raw" and (node.get("identifier") or node["name"]) in wanted
    ]
    seen: set[str] = set()
    while frontier:
        uid = frontier.pop()
        for child in manifest["child_map"].get(uid, []):
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return {
        manifest["nodes"][uid]["name"]
        for uid in seen
        if uid in manifest["nodes"]
        and manifest["nodes"][uid]["resource_type"] == "model"
        and manifest["nodes"][uid]["schema"] == "audit"
    }
