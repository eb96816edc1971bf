"""Load a batch of feed records into the raw layer with COPY, idempotently.

Rows are keyed by (source key, source version). Loading the same interval twice, or retrying
a task, inserts nothing new: the first copy of a version stays, byte for byte. A record that
cannot be keyed, breaks the feed contract or names a procedure the catalogue does not know is
quarantined with its reason and its bytes as received, once however often it is served.

Every batch is counted in ``raw.batch_ledger``: received = loaded + already present +
quarantined + already quarantined.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

import psycopg

from motcua.failpoints import failpoint
from motcua.landing.contracts import base_procedure_code
from motcua.landing.items import FeedItem
from motcua.landing.raw_sources import PROCEDURE_CATALOGUE, RawSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchResult:
    batch_id: uuid.UUID
    received: int
    loaded: int
    already_present: int
    quarantined: int
    unknown_fields: tuple[str, ...] = ()
    already_quarantined: int = 0
    checks_skipped: tuple[str, ...] = ()

    def summary(self) -> dict:
        """A JSON-friendly copy (Airflow keeps it as the task's return value)."""
        return {**asdict(self), "batch_id": str(self.batch_id)}


def checksum(payload: dict) -> str:
    """SHA-256 of the payload's canonical JSON: equal content, equal checksum."""
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


UNVERSIONED = 0  # placeholder until the loader numbers the content


def key_of(source: RawSource, payload: dict | None, extracted_at: datetime | None = None) -> tuple[str, int] | str:
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
        problems = source.contract.problems(payload, extracted_at)
        if problems:
            return "breaks the feed contract: " + "; ".join(problems)
    return key, version


@dataclass
class _Keyed:
    """A record that passed the contract, with the bytes it arrived as."""

    key: str
    version: int
    digest: str
    payload: dict
    original: bytes


def _known_procedure_codes(conn: psycopg.Connection, codes: set[str]) -> set[str] | None:
    """The codes among ``codes`` that the landed catalogue knows; None when none has landed yet."""
    if conn.execute(f"select not exists (select 1 from {PROCEDURE_CATALOGUE.table})").fetchone()[0]:
        return None
    rows = conn.execute(
        f"""select distinct payload ->> 'procedure_code' from {PROCEDURE_CATALOGUE.table}
            where payload ->> 'procedure_code' = any(%s)""",
        (sorted(codes),),
    ).fetchall()
    return {code for (code,) in rows}


def load_batch(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    interval: tuple[datetime, datetime],
    items: Iterable[FeedItem],
    *,
    asked: int | None = None,
    batch_id: uuid.UUID | None = None,
) -> BatchResult:
    """Load ``items`` for one unit and interval in a single transaction and record the batch.

    On an idle connection that transaction is the batch's own; inside an open one (extract-load
    reads the watermark first and moves it in the same transaction) it is a savepoint and
    commits with the caller. Either way, call :func:`seal_loaded_batches` after the commit.
    """
    batch_id = batch_id or uuid.uuid4()
    extracted_at = datetime.now().astimezone()
    arrived: list[_Keyed] = []
    bad: list[tuple[str, bytes]] = []
    received = 0
    unknown: set[str] = set()
    for item in items:
        received += 1
        if item.payload is None and item.reason:
            keyed: tuple[str, int] | str = item.reason
        else:
            keyed = key_of(source, item.payload, extracted_at)
        if source.contract is not None and isinstance(item.payload, dict):
            unknown |= source.contract.unknown_fields(item.payload)
        if isinstance(keyed, str):
            bad.append((keyed, item.original_bytes()))
        else:
            assert item.payload is not None
            arrived.append(_Keyed(keyed[0], keyed[1], checksum(item.payload), item.payload, item.original_bytes()))

    with conn.transaction():
        conn.execute(
            """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end,
                                             status, asked, received)
               values (%s, %s, %s, %s, %s, 'running', %s, %s)""",
            (batch_id, source.name, unit_code, interval[0], interval[1], asked, received),
        )
        arrived, skipped = _check_catalogue(conn, source, arrived, bad)
        if source.version_field is None:
            _number_contents(conn, source, arrived)
        firsts, repeated = _first_copies(arrived, bad)
        inserted, conflicts = _insert_new(conn, source, unit_code, batch_id, extracted_at, firsts)
        failpoint("landing.rows_copied")
        bad.extend(conflicts)
        quarantined, already_quarantined = _quarantine(conn, source, unit_code, batch_id, bad)
        already_present = repeated + len(firsts) - inserted - len(conflicts)
        conn.execute(
            """update raw.batch_ledger
               set status = 'loaded', loaded = %s, already_present = %s, quarantined = %s,
                   already_quarantined = %s, unknown_fields = %s, checks_skipped = %s, finished_at = now()
               where batch_id = %s""",
            (inserted, already_present, quarantined, already_quarantined, sorted(unknown), skipped, batch_id),
        )
    return BatchResult(
        batch_id,
        received,
        inserted,
        already_present,
        quarantined,
        tuple(sorted(unknown)),
        already_quarantined,
        tuple(skipped),
    )


def _check_catalogue(
    conn: psycopg.Connection, source: RawSource, arrived: list[_Keyed], bad: list[tuple[str, bytes]]
) -> tuple[list[_Keyed], list[str]]:
    """Quarantine records naming a procedure the landed catalogue does not know."""
    field = getattr(source.contract, "catalogue_field", None)
    if field is None or not arrived:
        return arrived, []
    codes = {base_procedure_code(r.payload[field]) for r in arrived}
    known = _known_procedure_codes(conn, codes)
    if known is None:
        log.warning("%s: no procedure catalogue landed yet; procedure codes were not checked", source.name)
        return arrived, [f"{field}: no procedure catalogue landed yet"]
    kept = []
    for record in arrived:
        code = record.payload[field]
        if base_procedure_code(code) in known:
            kept.append(record)
        else:
            reason = f"breaks the feed contract: {field}: {code} is not in the procedure catalogue"
            bad.append((reason, record.original))
    return kept, []


def _first_copies(arrived: list[_Keyed], bad: list[tuple[str, bytes]]) -> tuple[list[_Keyed], int]:
    """The first copy of each (key, version) in arrival order, and how many repeats were identical.

    A repeat with other content is a source defect: it goes to quarantine, the first copy stays.
    """
    firsts: dict[tuple[str, int], _Keyed] = {}
    identical = 0
    for record in arrived:
        first = firsts.setdefault((record.key, record.version), record)
        if first is record:
            continue
        if first.digest == record.digest:
            identical += 1
        else:
            reason = f"version {record.version} of {record.key} arrived twice with different content"
            bad.append((reason, record.original))
    return list(firsts.values()), identical


def _insert_new(
    conn: psycopg.Connection,
    source: RawSource,
    unit_code: str,
    batch_id: uuid.UUID,
    extracted_at: datetime,
    records: list[_Keyed],
) -> tuple[int, list[tuple[str, bytes]]]:
    """Append the versions raw does not hold yet; versions it holds with other content are conflicts."""
    conn.execute(f"create temp table incoming (like {source.table} including defaults) on commit drop")
    with conn.cursor().copy(
        "copy incoming (source_key, source_version, unit_code, batch_id, extracted_at, checksum, payload) from stdin"
    ) as copy:
        for r in records:
            payload = json.dumps(r.payload, ensure_ascii=False)
            copy.write_row((r.key, r.version, unit_code, batch_id, extracted_at, r.digest, payload))
    conn.execute("analyze incoming")  # a temp table has no statistics: without them the join plans badly
    clashing = conn.execute(
        f"""select i.source_key, i.source_version
            from incoming as i
            inner join {source.table} as t
                on t.source_key = i.source_key and t.source_version = i.source_version
            where t.checksum <> i.checksum"""
    ).fetchall()
    by_key = {(r.key, r.version): r for r in records}
    conflicts = [
        (f"version {version} of {key} arrived again with different content", by_key[(key, version)].original)
        for key, version in clashing
    ]
    inserted = conn.execute(
        f"insert into {source.table} select * from incoming on conflict (source_key, source_version) do nothing"
    ).rowcount
    return inserted, conflicts


def _quarantine(
    conn: psycopg.Connection, source: RawSource, unit_code: str, batch_id: uuid.UUID, bad: list[tuple[str, bytes]]
) -> tuple[int, int]:
    """Keep each rejected item once: (newly quarantined, quarantined by an earlier batch or twice here)."""
    if not bad:
        return 0, 0
    firsts: dict[bytes, tuple[str, bytes]] = {}
    for reason, raw in bad:
        firsts.setdefault(hashlib.sha256(raw).digest(), (reason, raw))
    conn.execute("create temp table incoming_quarantine (ordinal integer, reason text, raw_bytes bytea) on commit drop")
    with conn.cursor().copy("copy incoming_quarantine (ordinal, reason, raw_bytes) from stdin") as copy:
        for ordinal, (reason, raw) in enumerate(firsts.values()):
            copy.write_row((ordinal, reason, raw))
    inserted = conn.execute(
        """insert into raw.quarantine (batch_id, source, unit_code, reason, raw_bytes)
           select %s, %s, %s, reason, raw_bytes from incoming_quarantine order by ordinal
           on conflict (source, raw_sha256) do nothing""",
        (batch_id, source.name, unit_code),
    ).rowcount
    return inserted, len(bad) - inserted


def _number_contents(conn: psycopg.Connection, source: RawSource, records: list[_Keyed]) -> None:
    """Give unversioned records a version: the stored one for known content, else the next."""
    keys = sorted({r.key for r in records})
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
    for record in records:
        if (record.key, record.digest) not in known:
            latest[record.key] = latest.get(record.key, 0) + 1
            known[(record.key, record.digest)] = latest[record.key]
        record.version = known[(record.key, record.digest)]


def advance_watermark(conn: psycopg.Connection, source: RawSource, unit_code: str, mark: datetime) -> None:
    """Move the unit's high-water mark forward (never back: backfills must not rewind it)."""
    conn.execute(
        """insert into raw.watermarks (source, unit_code, high_water_mark) values (%s, %s, %s)
           on conflict (source, unit_code) do update
           set high_water_mark = greatest(raw.watermarks.high_water_mark, excluded.high_water_mark),
               updated_at = now()""",
        (source.name, unit_code, mark),
    )
