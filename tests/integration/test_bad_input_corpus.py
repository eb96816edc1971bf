"""The bad-input corpus (tests/corpus/drops/, written by tests/corpus/make_corpus.py) lands row by row.

For every file: each row the manifest lists (counted by the generator, not by the reader) is in
``raw.spreadsheet_dossiers``, an identical duplicate, or in ``raw.quarantine`` with a reason
naming the column and the row's own bytes; the batch ledger agrees; loaded text is NFC and
exactly the intended text (injection strings included). Rows marked ``landing_rule`` in the
manifest are rejected by the landing rules of ``motcua.landing.contracts`` / ``loader``
(future timestamps, completion before receipt, procedure codes and the catalogue), not by the
spreadsheet reader. Plus a 10 MB drop generated here from simulator rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import unicodedata
import uuid
from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from motcua.landing.drops import land_drop_file
from motcua.landing.loader import checksum
from motcua_simulator.catalogue import catalogue_history
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.spreadsheets import COLUMNS, HEADERS, drop_records

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DROPS = CORPUS / "drops"
MANIFEST: dict[str, dict] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
FIELD_NAMES = {h for h in HEADERS} | {"Ghi chú"}


def test_the_corpus_is_what_the_generator_writes():
    """The committed files are the generator's output (regenerate with make_corpus.py after a change)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files, manifest = module.build()
    assert sorted(files) == sorted(p.name for p in DROPS.iterdir())
    for name, data in files.items():
        committed = (DROPS / name).read_bytes()
        if name.endswith(".xlsx") and not MANIFEST[name].get("whole_file"):
            # XLSX bytes depend on the openpyxl version that wrote them: compare the cells.
            def cells(raw: bytes) -> list:
                return [[c.value for c in row] for row in load_workbook(io.BytesIO(raw)).worksheets[0].iter_rows()]

            assert cells(committed) == cells(data), name
        elif name.endswith(".xlsx"):
            assert len(committed) == len(data), name  # a truncated workbook
        else:
            assert committed == data, name
    assert json.loads(json.dumps(manifest, ensure_ascii=False)) == MANIFEST
    assert all(len(data) < 8_000 for name, data in files.items() if MANIFEST[name]["kind"] != "long_text")


@pytest.fixture(scope="module")
def landed(warehouse, reset_warehouse) -> dict[str, dict]:
    """Land every corpus file once, with the procedure catalogue landed (so codes are checked),
    from an empty warehouse: a module before this one may have landed the catalogue already."""
    reset_warehouse()
    catalogue_batch = uuid.uuid4()
    with (
        psycopg.connect(warehouse.url, autocommit=True) as conn,
        conn.cursor().copy(
            "copy raw.procedure_catalogue (source_key, source_version, unit_code, batch_id, extracted_at, checksum,"
            " payload) from stdin"
        ) as copy,
    ):
        for (code, level), versions in catalogue_history().items():
            for version in versions:
                record = version.record()
                copy.write_row(
                    (
                        f"{code}:{level}",
                        version.version,
                        "40",
                        catalogue_batch,
                        datetime.now().astimezone(),
                        checksum(record),
                        json.dumps(record, ensure_ascii=False),
                    )
                )
    summaries = {}
    with psycopg.connect(warehouse.url) as conn:
        for name in sorted(MANIFEST):
            summaries[name] = land_drop_file(conn, DROPS / name)
    yield summaries
    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        conn.execute("delete from raw.procedure_catalogue where batch_id = %s", (catalogue_batch,))


def _ledger(conn, batch_id: str) -> dict:
    (row,) = conn.execute("select to_jsonb(l) from raw.batch_ledger as l where batch_id = %s", (batch_id,)).fetchone()
    return row


def _quarantined(conn, batch_id: str) -> list[tuple[str, bytes]]:
    rows = conn.execute(
        "select reason, raw_bytes from raw.quarantine where batch_id = %s order by quarantine_id", (batch_id,)
    ).fetchall()
    return [(reason, bytes(raw)) for reason, raw in rows]


def _physical_lines(data: bytes) -> list[bytes]:
    """The file's physical lines with their line breaks (CR, LF or CRLF)."""
    return re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+", data)


def _row_bytes(name: str, row: dict) -> bytes:
    """The bytes a quarantined row must keep: CSV, its physical lines without the final line break;
    XLSX, its stored cell values as a JSON array (XLSX has no bytes per row)."""
    if MANIFEST[name].get("whole_file"):
        return (DROPS / name).read_bytes()
    if MANIFEST[name]["format"] == "xlsx":
        sheet = load_workbook(DROPS / name).worksheets[0]
        values = [c.value for c in sheet[row["sheet_row"]]]
        stored = [v.isoformat() if isinstance(v, datetime) else v for v in values]
        return json.dumps(stored, ensure_ascii=False).encode()
    first, last = row["lines"]
    lines = _physical_lines((DROPS / name).read_bytes())[first - 1 : last]
    return b"".join(lines).removesuffix(b"\n").removesuffix(b"\r")


def _where(row: dict) -> str:
    if "sheet_row" in row:
        return f"row {row['sheet_row']}:"
    first, last = row["lines"]
    return f"row {first}:" if first == last else f"rows {first}-{last}:"


def _expected(name: str, kind: str) -> list[dict]:
    return [row for row in MANIFEST[name]["rows"] if row["expect"] == kind]


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_every_row_is_counted_once(landed, wh_conn, name):
    """Rows in the file == loaded + identical duplicates + quarantined, and the ledger agrees."""
    summary = landed[name]
    ledger = _ledger(wh_conn, summary["batch_id"])
    quarantined = _quarantined(wh_conn, summary["batch_id"])
    rows_in_file = len(MANIFEST[name]["rows"])
    assert ledger["received"] == rows_in_file
    accounted = ledger["loaded"] + ledger["already_present"] + len(quarantined) + ledger.get("already_quarantined", 0)
    assert accounted == rows_in_file
    assert ledger["quarantined"] == len(quarantined)
    loaded = wh_conn.execute(
        "select count(*) from raw.spreadsheet_dossiers where batch_id = %s", (summary["batch_id"],)
    ).fetchone()[0]
    assert loaded == ledger["loaded"]
    assert ledger["already_present"] == len(_expected(name, "duplicate"))


@pytest.mark.parametrize("name", sorted(n for n in MANIFEST if _expected(n, "load")))
def test_loaded_rows_hold_the_intended_text(landed, wh_conn, name):
    for row in _expected(name, "load"):
        expected = row["payload"]
        found = wh_conn.execute(
            "select payload from raw.spreadsheet_dossiers where source_key = %s and batch_id = %s",
            (expected["dossier_code"], landed[name]["batch_id"]),
        ).fetchone()
        assert found is not None, f"{name} {_where(row)} {expected['dossier_code']} did not load"
        payload = found[0]
        for field, value in expected.items():
            stored = payload
            for part in field.split("."):
                stored = stored[part]
            if isinstance(value, dict):  # a long text, by fingerprint
                assert len(stored) == value["chars"]
                assert hashlib.sha256(stored.encode()).hexdigest() == value["sha256"]
            else:
                assert stored == value, f"{name} {_where(row)} {field}"
        texts = [v for v in [*payload.values(), *payload["applicant"].values()] if isinstance(v, str)]
        assert all(unicodedata.is_normalized("NFC", t) for t in texts)


@pytest.mark.parametrize(
    "name", sorted(n for n in MANIFEST if any(not r.get("landing_rule") for r in _expected(n, "quarantine")))
)
def test_quarantined_rows_keep_their_bytes_and_name_the_column(landed, wh_conn, name):
    quarantined = _quarantined(wh_conn, landed[name]["batch_id"])
    by_bytes = {raw: reason for reason, raw in quarantined}
    for row in _expected(name, "quarantine"):
        if row.get("landing_rule"):
            continue
        raw = _row_bytes(name, row)
        assert raw in by_bytes, f"{name} {_where(row)}: no quarantine entry with the row's bytes"
        reason = by_bytes[raw]
        assert any(field in reason for field in row["fields"]), reason
        if MANIFEST[name].get("whole_file"):
            assert "cannot be split into rows" in reason and "counted as 1 row" in reason
        else:
            assert f"{name} {_where(row)}" in reason
    # Every reason names a column or field (or, for a whole file, why it cannot be split).
    fields = FIELD_NAMES | {f for row in MANIFEST[name]["rows"] for f in row.get("fields", [])}
    assert all(any(f in reason for f in fields) for reason, _ in quarantined)


@pytest.mark.parametrize("name", sorted(n for n in MANIFEST if any(r.get("landing_rule") for r in MANIFEST[n]["rows"])))
def test_landing_rules_quarantine_impossible_rows(landed, wh_conn, name):
    """Received in 2031, completed before receipt, codes that are not codes or not in the catalogue.

    Depends on the landing rules (motcua.landing.contracts / loader), not on the reader."""
    quarantined = _quarantined(wh_conn, landed[name]["batch_id"])
    by_bytes = {raw: reason for reason, raw in quarantined}
    for row in _expected(name, "quarantine"):
        if not row.get("landing_rule"):
            continue  # rejected by the reader: see the test above
        raw = _row_bytes(name, row)
        assert raw in by_bytes, f"{name} {_where(row)} ({row.get('why')}) was not quarantined"
        assert any(field in by_bytes[raw] for field in row["fields"]), by_bytes[raw]
    assert landed[name]["loaded"] == len(_expected(name, "load"))


def test_unknown_columns_are_kept_and_reported(landed, wh_conn):
    name = next(n for n in MANIFEST if MANIFEST[n]["kind"] == "extra_column")
    ledger = _ledger(wh_conn, landed[name]["batch_id"])
    assert ledger["unknown_fields"] == MANIFEST[name]["unknown_fields"]
    assert landed[name]["loaded"] == len(MANIFEST[name]["rows"])


def test_the_same_file_lands_once(landed, warehouse):
    with psycopg.connect(warehouse.url) as conn:
        again = [land_drop_file(conn, DROPS / name) for name in sorted(MANIFEST)]
    assert all(s.get("skipped") == "already landed" for s in again)


def test_a_ten_megabyte_drop(tmp_path, landed, warehouse, wh_conn):
    """A 10 MB CSV of simulator rows (generated here, not committed) lands whole and in time."""
    records = drop_records("430", date(2025, 6, 10), SimulationProfile(seed=7))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    written = 0
    while buffer.tell() < 10_000_000:
        record = {**records[written % len(records)]}
        record["dossier_code"] = f"000.{written // 10_000:02d}.31.H41-250610-{written % 10_000:04d}"
        writer.writerow([getter(record) for _, getter in COLUMNS])  # type: ignore[operator]
        written += 1
    path = tmp_path / "430_20250610.csv"
    path.write_bytes(buffer.getvalue().encode())
    assert path.stat().st_size >= 10_000_000
    started = time.monotonic()
    with psycopg.connect(warehouse.url) as conn:
        summary = land_drop_file(conn, path)
    elapsed = time.monotonic() - started
    ledger = _ledger(wh_conn, summary["batch_id"])
    assert ledger["received"] == written
    assert (ledger["loaded"], ledger["already_present"], ledger["quarantined"]) == (written, 0, 0)
    assert elapsed < 40, f"landing 10 MB took {elapsed:.1f} s"
