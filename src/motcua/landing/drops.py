"""Land spreadsheet drop files (units without an API) into ``raw.spreadsheet_dossiers``.

Each distinct file (by SHA-256 of its bytes) is landed once, as one batch. Every data row counts
as received: rows that cannot be decoded or converted, and every row of a file whose header is
unusable, go to quarantine one by one with the reason and their bytes as they arrived. Only a
file that cannot be split into rows at all (bad name, undecodable bytes, corrupt XLSX) is
quarantined whole, as one entry counted as one row received.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from motcua.domain import TIME_ZONE
from motcua.feeds.spreadsheets import FILE_NAME, DropFileError, drop_files, read_drop
from motcua.landing.items import FeedItem
from motcua.landing.loader import load_batch
from motcua.landing.raw_sources import SPREADSHEET_DOSSIERS

VN_TZ = TIME_ZONE


def _interval(path: Path) -> tuple[datetime, datetime]:
    match = FILE_NAME.match(path.name)
    if match:
        day = datetime.strptime(match["day"], "%Y%m%d").replace(tzinfo=VN_TZ)
        return day, day + timedelta(days=1)
    now = datetime.now(VN_TZ)
    return now, now


def land_drop_file(conn: psycopg.Connection, path: Path) -> dict:
    """Land one file unless a file with the same bytes was landed before."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    seen = conn.execute("select batch_id from raw.drop_files where file_sha256 = %s", (digest,)).fetchone()
    if seen:
        return {"file": path.name, "skipped": "already landed", "batch_id": str(seen[0])}
    try:
        contents = read_drop(path)
    except DropFileError as err:
        reason = f"{err}; the file cannot be split into rows: quarantined whole, counted as 1 row"
        return _quarantine_file(conn, path, data, digest, reason)
    items = [
        # Quarantine keeps the row's bytes exactly as they were in the file.
        FeedItem(
            json.dumps(row.record, ensure_ascii=False) if row.record is not None else row.raw.decode("latin-1"),
            row.record,
            row.reason,
            raw_bytes=row.raw,  # quarantine keeps the row's bytes exactly as they were in the file
        )
        for row in contents.rows
    ]
    result = load_batch(conn, SPREADSHEET_DOSSIERS, contents.unit_code, _interval(path), items)
    conn.execute(
        """insert into raw.drop_files (file_sha256, file_name, unit_code, encoding, confidence, batch_id, rows_read)
           values (%s, %s, %s, %s, %s, %s, %s)""",
        (
            digest,
            path.name,
            contents.unit_code,
            contents.encoding,
            contents.confidence,
            result.batch_id,
            len(contents.rows),
        ),
    )
    conn.commit()
    summary = {
        "file": path.name,
        "encoding": contents.encoding,
        "rows": len(contents.rows),
        "received": result.received,
        "loaded": result.loaded,
        "already_present": result.already_present,
        "quarantined": result.quarantined,
        # Rows whose bytes were quarantined before (the loader keeps each rejected item once).
        "already_quarantined": result.already_quarantined,
        "unknown_fields": list(result.unknown_fields),
        "batch_id": str(result.batch_id),
    }
    if contents.problem:
        summary["file_problem"] = contents.problem
    return summary


def _quarantine_file(conn: psycopg.Connection, path: Path, data: bytes, digest: str, reason: str) -> dict:
    """A file that cannot be split into rows: one quarantine entry (its bytes), one row received."""
    match = FILE_NAME.match(path.name)
    unit_code = match["unit"] if match else "unknown"
    item = FeedItem(data.decode("latin-1"), None, reason, raw_bytes=data)
    result = load_batch(conn, SPREADSHEET_DOSSIERS, unit_code, _interval(path), [item])
    conn.execute(
        """insert into raw.drop_files (file_sha256, file_name, unit_code, batch_id, rows_read)
           values (%s, %s, %s, %s, 0)""",
        (digest, path.name, unit_code, result.batch_id),
    )
    conn.commit()
    return {
        "file": path.name,
        "quarantined_file": reason,
        "received": result.received,
        "quarantined": result.quarantined,
        "batch_id": str(result.batch_id),
    }


def land_drop_folder(conn: psycopg.Connection, folder: Path) -> list[dict]:
    """Land every new file of the drop folder; returns one summary per file."""
    return [land_drop_file(conn, path) for path in drop_files(folder)]
