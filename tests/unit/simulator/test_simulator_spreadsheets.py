"""Spreadsheet drops decode back to the same text."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook

from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.spreadsheets import (
    HEADERS,
    cell_text_to_bytes,
    decode_text,
    encode_text,
    main,
    write_spreadsheet_drop,
)

DAY = date(2025, 6, 30)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-nfd", "cp1258", "tcvn3", "vni"])
def test_csv_and_xlsx_decode_back(tmp_path, encoding):
    drops = write_spreadsheet_drop(tmp_path, ["430"], DAY, SimulationProfile(), encoding=encoding)
    csv_drop, xlsx_drop = drops
    assert csv_drop.path.name == "430_20250630.csv" and xlsx_drop.path.name == "430_20250630.xlsx"
    raw = csv_drop.path.read_bytes()
    if encoding == "utf-8-nfd":
        assert unicodedata.is_normalized("NFD", raw.decode("utf-8"))
    if encoding in ("cp1258", "tcvn3", "vni"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(decode_text(raw, encoding))))
    expected = [encode_and_back(h, encoding) for h in HEADERS]
    assert rows[0] == expected
    assert len(rows) - 1 == len(csv_drop.records) > 10
    names = {encode_and_back(r["applicant"]["full_name"], encoding) for r in csv_drop.records}
    assert names == {row[HEADERS.index("Chủ hồ sơ")] for row in rows[1:]}
    sheet = load_workbook(xlsx_drop.path).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    if encoding.startswith("utf"):
        back = [unicodedata.normalize("NFC", h) for h in header]
    else:
        back = [decode_text(cell_text_to_bytes(h), encoding) for h in header]
    assert back == expected


def encode_and_back(text: str, encoding: str) -> str:
    # TCVN3 (VN3) has no upper-case toned letters: such words are written in lower case.
    return decode_text(encode_text(text, encoding), encoding)


def test_cp1258_and_nfd_round_trip_exactly():
    text = "Đăng ký biến động quyền sử dụng đất - Nguyễn Thị Hương, Xã Quỳnh Lưu"
    for encoding in ("cp1258", "utf-8-nfd", "vni"):
        assert decode_text(encode_text(text, encoding), encoding) == text


def test_mixed_encodings_and_cli(tmp_path, capsys):
    drops = write_spreadsheet_drop(
        tmp_path, ["430", "421"], DAY, SimulationProfile(), encoding="mixed", formats=("csv",)
    )
    assert [d.path.name for d in drops] == ["430_20250630.csv", "421_20250630.csv"]
    assert (
        main(
            [str(tmp_path / "cli"), "--day", "2025-06-30", "--units", "430", "--encoding", "cp1258", "--format", "csv"]
        )
        == 0
    )
    assert (tmp_path / "cli" / "430_20250630.csv").exists()
    assert "cp1258" in capsys.readouterr().out
