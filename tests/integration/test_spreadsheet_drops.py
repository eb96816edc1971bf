"""Spreadsheet drops in every encoding land decoded to NFC; bad files and rows go to quarantine."""

from __future__ import annotations

import unicodedata
from datetime import date

import psycopg
import pytest

from motcua.landing.drops import land_drop_folder
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.spreadsheets import write_spreadsheet_drop

DAY = date(2025, 6, 10)
ENCODINGS = {"17935": "tcvn3", "17938": "vni", "17941": "cp1258", "17944": "utf-8-nfd"}


@pytest.fixture()
def landed(tmp_path, warehouse, wh_conn):
    wh_conn.execute("truncate raw.spreadsheet_dossiers, raw.drop_files, raw.quarantine")
    written = []
    for unit, encoding in ENCODINGS.items():
        formats = ("csv",) if unit != "17941" else ("xlsx",)
        written += write_spreadsheet_drop(tmp_path, [unit], DAY, SimulationProfile(seed=3), encoding, formats)
    (tmp_path / "17947_20250610.csv").write_bytes(bytes(range(256)) * 3)  # not text in any encoding
    good = written[0].path.read_bytes().split(b"\r\n")
    # The second data row gets an impossible date; everything else in the file is fine.
    broken = good[2].replace(b"/2025 ", b"/2O25 ", 1)
    (tmp_path / "17950_20250610.csv").write_bytes(b"\r\n".join([good[0], good[1], broken, b""]))
    with psycopg.connect(warehouse.url) as conn:
        summaries = land_drop_folder(conn, tmp_path)
        again = land_drop_folder(conn, tmp_path)
    return written, summaries, again, broken


def test_every_encoding_lands_as_nfc_text(landed, wh_conn):
    written, summaries, _, _ = landed
    by_file = {s["file"]: s for s in summaries}
    for drop in written:
        summary = by_file[drop.path.name]
        assert summary["quarantined"] == 0 and summary["loaded"] == len(drop.records)
        assert summary["encoding"] == (drop.encoding if drop.encoding != "utf-8-nfd" else "utf-8")
        for record in drop.records:
            name, applicant = wh_conn.execute(
                """select payload->>'procedure_name', payload->'applicant'->>'full_name'
                   from raw.spreadsheet_dossiers where source_key = %s and source_version = %s""",
                (record["dossier_code"], record["version"]),
            ).fetchone()
            assert unicodedata.is_normalized("NFC", name) and name == record["procedure_name"]
            if drop.encoding == "tcvn3":  # TCVN3 has no toned capitals: files carry them in lower case
                assert applicant.lower() == record["applicant"]["full_name"].lower()
            else:
                assert applicant == record["applicant"]["full_name"]


def test_undecodable_file_and_bad_row_are_quarantined_with_their_bytes(landed, wh_conn):
    _, summaries, _, broken = landed
    by_file = {s["file"]: s for s in summaries}
    assert "cannot decode" in by_file["17947_20250610.csv"]["quarantined_file"]
    # Its good row is the same dossier version the 17935 file carried: already present, not twice.
    assert (by_file["17950_20250610.csv"]["already_present"], by_file["17950_20250610.csv"]["quarantined"]) == (1, 1)
    reason, raw = wh_conn.execute("select reason, raw_bytes from raw.quarantine where unit_code = '17950'").fetchone()
    assert "17950_20250610.csv row 3: column" in reason and "2O25" in reason
    assert bytes(raw) == broken


def test_a_file_lands_once(landed, wh_conn):
    _, summaries, again, _ = landed
    assert all(s.get("skipped") == "already landed" for s in again)
    assert len(again) == len(summaries)
    assert wh_conn.execute("select count(*) from raw.drop_files").fetchone()[0] == len(summaries)
