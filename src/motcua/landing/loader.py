"""Load a batch of feed records into the raw layer with COPY, idempotently.

Rows are keyed by (source key, source version). Loading the same interval twice, or retrying
a task, inserts nothing new: the first copy of a version stays, byte for byte. A record that
cannot be keyed is quarantined with its reason and its bytes as received.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

import psycopg

from motcua.feeds.one_stop import FeedItem
from motcua.landing.ledger import RawSource


@dataclass(frozen=True)
class BatchResult:
    batch_id: uuid.UUID
    received: int
    loaded: int
    already_present: int
    quarantined: int
    unknown_fields: tuple[str, ...] = ()

    def summary(self) -> dict:
        """A JSON-friendly copy (Airflow keeps it as the task's return value)."""
        return {**asdict(self), "batch_id": str(self.batch_id)}


def checksum(payload: dict) -> str:
    """SHA-256 of the payload's canonical JSON: equal content, equal checksum."""
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


UNVERSIONED = 0  # placeholder until the loader numbers the content


def key_of(source: RawSource, payload: dict | None) -> tuple[str, int] | str:
    """(key, version) of a record, or the reason it cannot be loaded."""
    if not isinstance(payload, dict):
        return "record is not a JSON object"
    parts = []
    for field in source.key_fields:
        value = payload.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            return f"missing or empty {field}"
        parts.append(value)
    key = ":".join(parts)
    if source.version_field is None:
        version = UNVERSIONED
    else:
        version = payload.get(source.version_field)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            return f"{source.version_field} must be a positive integer, got {version!r}"
    if source.contract is not None:
        problems = source.contract.problems(payload)
        if problems:
            return "breaks the feed contract: " + "; ".join(problems)
    return key, version


def load_batch(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    interval: tuple[datetime, datetime],
    items: Iterable[FeedItem],
    *,
    asked: int | None = None,
) -> BatchResult:
    """Load ``items`` for one unit and interval in a single transaction and record the batch."""
    batch_id = uuid.uuid4()
    extracted_at = datetime.now().astimezone()
    good: list[tuple[str, int, str, dict]] = []
    bad: list[tuple[str, bytes]] = []
    received = 0
    unknown: set[str] = set()
    for item in items:
        received += 1
        keyed = item.reason if item.payload is None and item.reason else key_of(source, item.payload)
        if source.contract is not None and isinstance(item.payload, dict):
            unknown |= source.contract.unknown_fields(item.payload)
        if isinstance(keyed, str):
            bad.append((keyed, item.original_bytes()))
        else:
            assert item.payload is not None
            good.append((keyed[0], keyed[1], checksum(item.payload), item.payload))

    with conn.transaction():
        if source.version_field is None:
            good = _number_contents(conn, source, good)
        conn.execute(
            """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end,
                                             status, asked, received)
               values (%s, %s, %s, %s, %s, 'running', %s, %s)""",
            (batch_id, source.name, unit_code, interval[0], interval[1], asked, received),
        )
        conn.execute(f"create temp table incoming (like {source.table} including defaults) on commit drop")
        with conn.cursor().copy(
            "copy incoming (source_key, source_version, unit_code, batch_id, extracted_at, checksum, payload) "
            "from stdin"
        ) as copy:
            for key, version, digest, payload in good:
                copy.write_row(
                    (
                        key,
                        version,
                        unit_code,
                        batch_id,
                        extracted_at,
                        digest,
                        json.dumps(payload, ensure_ascii=False),
                    )
                )
        # The same version served twice with different content is a source defect: keep the
        # first, quarantine the other so nobody loses it.
        conflicts = conn.execute(
            f"""select distinct on (i.source_key, i.source_version, i.checksum)
                       i.source_key, i.source_version, i.payload::text
                from incoming i
                join (select source_key, source_version, checksum from {source.table}
                      union all
                      select distinct on (source_key, source_version) source_key, source_version, checksum
                      from incoming order by source_key, source_version, checksum) first
                  on first.source_key = i.source_key and first.source_version = i.source_version
                 and first.checksum <> i.checksum"""
        ).fetchall()
        for key, version, text in conflicts:
            bad.append((f"version {version} of {key} arrived again with different content", text.encode()))
        inserted = conn.execute(
            f"""insert into {source.table}
                select distinct on (source_key, source_version) *
                from incoming
                order by source_key, source_version, checksum
                on conflict (source_key, source_version) do nothing"""
        ).rowcount
        if bad:
            with conn.cursor().copy(
                "copy raw.quarantine (batch_id, source, unit_code, reason, raw_bytes) from stdin"
            ) as copy:
                for reason, raw in bad:
                    copy.write_row((batch_id, source.name, unit_code, reason, raw))
        already_present = len(good) - inserted - len(conflicts)
        conn.execute(
            """update raw.batch_ledger
               set status = 'loaded', loaded = %s, already_present = %s, quarantined = %s,
                   unknown_fields = %s, finished_at = now()
               where batch_id = %s""",
            (inserted, already_present, len(bad), sorted(unknown), batch_id),
        )
    return BatchResult(batch_id, received, inserted, already_present, len(bad), tuple(sorted(unknown)))


def _number_contents(
    conn: psycopg.Connection, source: RawSource, good: list[tuple[str, int, str, dict]]
) -> list[tuple[str, int, str, dict]]:
    """Give unversioned records a version: the stored one for known content, else the next."""
    keys = sorted({key for key, _, _, _ in good})
    known: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    # Serialise numbering per table: two concurrent batches must not both take version n+1.
    conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (source.table,))
    rows = conn.execute(
        f"select source_key, checksum, source_version from {source.table} where source_key = any(%s)", (keys,)
    ).fetchall()
    for key, digest, version in rows:
        known[(key, digest)] = version
        latest[key] = max(latest.get(key, 0), version)
    numbered = []
    for key, _, digest, payload in good:
        if (key, digest) not in known:
            latest[key] = latest.get(key, 0) + 1
            known[(key, digest)] = latest[key]
        numbered.append((key, known[(key, digest)], digest, payload))
    return numbered


def advance_watermark(conn: psycopg.Connection, source: RawSource, unit_code: str, mark: datetime) -> None:
    """Move the unit's high-water mark forward (never back: backfills must not rewind it)."""
    conn.execute(
        """insert into raw.watermarks (source, unit_code, high_water_mark) values (%s, %s, %s)
           on conflict (source, unit_code) do update
           set high_water_mark = greatest(raw.watermarks.high_water_mark, excluded.high_water_mark),
               updated_at = now()""",
        (source.name, unit_code, mark),
    )
