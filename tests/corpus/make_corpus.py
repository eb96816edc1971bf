"""Write the bad-input corpus of spreadsheet drops (tests/corpus/drops/) and its manifest.

Run from the repository root: ``.venv/bin/python tests/corpus/make_corpus.py``. The output is
deterministic (fixed texts, fixed XLSX timestamps); the generated files are committed so that
reviewers can read them. ``tests/integration/test_bad_input_corpus.py`` lands each file and
checks it against ``tests/corpus/manifest.json``, which says, for every data row of every file,
its physical lines (CSV) or sheet row (XLSX), what must happen to it and why:

- ``load``: it lands in ``raw.spreadsheet_dossiers``; ``payload`` lists field values it must
  have there, verbatim (NFC);
- ``duplicate``: an identical copy of an earlier row (the ledger's ``already_present``);
- ``quarantine``: it goes to ``raw.quarantine`` with its own bytes; ``fields``: the reason
  names at least one of them; ``landing_rule``: true when the landing rules of
  ``motcua.landing.contracts``/``loader`` (not the reader) reject it.

A file marked ``whole_file`` cannot be split into rows: one quarantine entry, counted as one row.
The 10 MB file is not here: the test generates it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from motcua_simulator.spreadsheets import HEADERS, decode_text, encode_text

HERE = Path(__file__).resolve().parent
DROPS = HERE / "drops"
MANIFEST = HERE / "manifest.json"
DAY = "20250610"
AGENCY = "000.00.30.H41"

INJECTIONS = (
    "'; drop table raw.quarantine; --",
    "<script>alert(1)</script>",
    "{{ jinja }}",
    "=cmd|' /C calc'!A0",
)


def base_cells(unit: str, number: int, **changes: str) -> dict[str, str]:
    """One realistic row (header -> cell text) of dossier ``number`` of ``unit``."""
    cells = {
        "Mã hồ sơ": f"{AGENCY}-250610-{number:04d}",
        "Phiên bản": "2",
        "Ngày cập nhật": "10/06/2025 09:15:00",
        "Mã đơn vị": unit,
        "Cấp đơn vị": "Xã",
        "Mã thủ tục": "1.001193",
        "Tên thủ tục": "Đăng ký khai sinh",
        "Mã lĩnh vực": "HT",
        "Lĩnh vực": "Hộ tịch",
        "Kênh nộp": "Trực tiếp",
        "Trạng thái": "Đã tiếp nhận",
        "Ngày tiếp nhận": "10/06/2025 08:30:00",
        "Ngày hẹn trả": "11/06/2025 08:30:00",
        "Thời hạn giải quyết (ngày)": "1",
        "Ngày có kết quả": "",
        "Ngày trả kết quả": "",
        "Số lần yêu cầu bổ sung": "0",
        "Số hoá": "Có",
        "Kết quả điện tử": "Không",
        "Phí, lệ phí (đồng)": "0",
        "Thanh toán trực tuyến": "Không",
        "Ngày gửi phiếu xin lỗi": "",
        "Chủ hồ sơ": "Nguyễn Thị Hương",
        "Số định danh": "040190001234",
        "Số điện thoại": "0912345678",
        "Địa chỉ": "Xóm 2 xã Nghi Phong",
    }
    cells.update(changes)
    return cells


def csv_text(cells: list[str]) -> str:
    buffer = io.StringIO()
    # The terminator's characters are what csv.writer quotes line breaks for: keep CRLF, cut it after.
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().removesuffix("\r\n")


def physical_line_count(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text)) + 1


def expected_payload(cells: dict[str, str], encoding: str = "utf-8", extra: dict | None = None) -> dict:
    """The text fields the warehouse must hold for a loaded row (after the encoding's round trip:
    TCVN3 writes words with an upper-case toned letter in lower case)."""

    def text(header: str) -> str:
        return decode_text(encode_text(cells[header], encoding), encoding).strip()

    payload = {
        "dossier_code": text("Mã hồ sơ"),
        "procedure_code": text("Mã thủ tục"),
        "procedure_name": text("Tên thủ tục"),
        "field_name": text("Lĩnh vực"),
        "applicant.full_name": text("Chủ hồ sơ"),
        "applicant.id_number": text("Số định danh"),
        "applicant.address": text("Địa chỉ"),
    }
    payload.update(extra or {})
    return {name: _fingerprint(value) for name, value in payload.items()}


def _fingerprint(value):
    """Long texts are checked by their SHA-256 and length, to keep the manifest small."""
    if isinstance(value, str) and len(value) > 1000:
        return {"sha256": hashlib.sha256(value.encode()).hexdigest(), "chars": len(value)}
    return value


class CsvDrop:
    """A CSV drop built line by line, remembering each data row's physical lines."""

    def __init__(self, unit: str, kind: str, encoding: str = "utf-8", headers: list[str] | None = None) -> None:
        self.unit = unit
        self.kind = kind
        self.encoding = encoding
        self.headers = list(headers or HEADERS)
        self.data = bytearray()
        self.line = 1
        self.rows: list[dict] = []

    @property
    def name(self) -> str:
        return f"{self.unit}_{DAY}.csv"

    def _write(self, text: str, ending: str) -> tuple[int, int]:
        """Append one CSV record (``text`` may hold line breaks inside quotes); its physical lines."""
        first, last = self.line, self.line + physical_line_count(text) - 1
        self.data += encode_text(text + ending, self.encoding)
        self.line = last + 1
        return first, last

    def bom(self) -> CsvDrop:
        self.data += b"\xef\xbb\xbf"
        return self

    def header(self, ending: str = "\r\n") -> CsvDrop:
        self._write(csv_text(self.headers), ending)
        return self

    def blank(self, ending: str = "\r\n") -> CsvDrop:
        self._write("", ending)
        return self

    def row(self, cells: dict[str, str], expect: str, ending: str = "\r\n", **meta) -> CsvDrop:
        return self.line_text(csv_text([cells.get(h, "") for h in self.headers]), expect, ending, cells=cells, **meta)

    def line_text(self, text: str, expect: str, ending: str = "\r\n", cells: dict | None = None, **meta) -> CsvDrop:
        first, last = self._write(text, ending)
        entry = {"lines": [first, last], "expect": expect, **meta}
        if expect == "load" and "payload" not in entry and cells is not None:
            entry["payload"] = expected_payload(cells, self.encoding)
        self.rows.append(entry)
        return self

    def manifest(self) -> dict:
        return {"kind": self.kind, "format": "csv", "encoding": self.encoding, "rows": self.rows}


def deterministic_xlsx(book: Workbook) -> bytes:
    """The workbook's bytes with fixed timestamps (openpyxl stamps 'now' into the file)."""
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-06-10T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(info.filename, (2025, 6, 10, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xlsx_cells_and_book(rows: list[list], formats: dict[tuple[int, int], str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ho so"
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    for (row, column), number_format in formats.items():
        sheet.cell(row, column).number_format = number_format
    return deterministic_xlsx(book)


def build() -> tuple[dict[str, bytes], dict]:
    files: dict[str, bytes] = {}
    manifest: dict[str, dict] = {}

    def add(drop: CsvDrop) -> None:
        files[drop.name] = bytes(drop.data)
        manifest[drop.name] = drop.manifest()

    # Legacy encodings and NFD: every row loads with the intended (NFC) text.
    people = ["Nguyễn Thị Hương", "Trần Văn Đức", "Lê Thị Mỹ Dung"]
    procedures = [
        ("1.001193", "Đăng ký khai sinh", "Hộ tịch"),
        ("2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực"),
        ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch"),
    ]
    for index, (unit, encoding) in enumerate(
        [("91001", "cp1258"), ("91002", "tcvn3"), ("91003", "vni"), ("91004", "utf-8-nfd")]
    ):
        drop = CsvDrop(unit, encoding, encoding).header()
        for n, (person, (code, name, field)) in enumerate(zip(people, procedures, strict=True)):
            if encoding == "tcvn3" and n == 2:
                person = "Phạm Ngọc Ánh"  # a toned capital: TCVN3 files hold the word in lower case
            cells = base_cells(
                unit,
                index * 100 + n + 1,
                **{
                    "Chủ hồ sơ": person,
                    "Mã thủ tục": code,
                    "Tên thủ tục": name,
                    "Lĩnh vực": field,
                    "Địa chỉ": "Xóm Đông, xã Quỳnh Lưu, Nghệ An",
                },
            )
            drop.row(cells, "load")
        add(drop)

    # Injection strings in text cells: stored verbatim.
    drop = CsvDrop("91005", "injection").header()
    for n, text in enumerate(INJECTIONS, start=1):
        cells = base_cells(
            "91005", 500 + n, **{"Tên thủ tục": text, "Chủ hồ sơ": text, "Địa chỉ": text, "Lĩnh vực": text}
        )
        drop.row(cells, "load")
    add(drop)

    # A 100 kB text field (UTF-8 bytes), loaded verbatim.
    long_address = ("Số 1 đường Lê Lợi, phường Hưng Bình, thành phố Vinh, tỉnh Nghệ An. " * 2000)[:100_000]
    long_address = long_address.encode()[:100_000].decode(errors="ignore").strip()
    assert len(long_address.encode()) > 95_000
    drop = CsvDrop("91006", "long_text").header()
    drop.row(base_cells("91006", 601, **{"Địa chỉ": long_address}), "load")
    drop.row(base_cells("91006", 602), "load")
    add(drop)

    # Impossible dates.
    drop = CsvDrop("91007", "impossible_dates").header()
    drop.row(base_cells("91007", 701), "load")
    drop.row(
        base_cells("91007", 702, **{"Ngày tiếp nhận": "10/06/2031 08:30:00", "Ngày hẹn trả": "11/06/2031 08:30:00"}),
        "quarantine",
        fields=["received_at"],
        landing_rule=True,
        why="received in 2031 (the future)",
    )
    drop.row(
        base_cells("91007", 703, **{"Trạng thái": "Có kết quả", "Ngày có kết quả": "05/06/2025 10:00:00"}),
        "quarantine",
        fields=["completed_at"],
        landing_rule=True,
        why="result before receipt",
    )
    drop.row(
        base_cells("91007", 704, **{"Ngày tiếp nhận": "31/02/2025 08:30:00"}),
        "quarantine",
        fields=["Ngày tiếp nhận"],
        why="31 February does not exist",
    )
    add(drop)

    # Unknown procedure codes.
    drop = CsvDrop("91008", "unknown_procedure_codes").header()
    drop.row(base_cells("91008", 801), "load")
    for n, code in enumerate(["XYZ", "9.999999", "1.003011<script>"], start=2):
        drop.row(
            base_cells("91008", 800 + n, **{"Mã thủ tục": code}),
            "quarantine",
            fields=["procedure_code"],
            landing_rule=True,
            why="not a procedure code",
        )
    drop.row(
        base_cells("91008", 805, **{"Mã thủ tục": "2.999999"}),
        "quarantine",
        fields=["procedure_code"],
        landing_rule=True,
        why="well formed, not in the landed catalogue",
    )
    add(drop)

    # XLSX: a truncated zip (cannot be split into rows).
    good_book = xlsx_cells_and_book([[base_cells("91009", 901)[h] for h in HEADERS]], {})
    files[f"91009_{DAY}.xlsx"] = good_book[: len(good_book) * 3 // 5]
    manifest[f"91009_{DAY}.xlsx"] = {
        "kind": "broken_xlsx",
        "format": "xlsx",
        "whole_file": True,
        "rows": [{"expect": "quarantine", "fields": ["XLSX"], "why": "truncated zip"}],
    }

    # XLSX with real date cells and numeric codes.
    def xrow(number: int, **changes) -> list:
        cells: dict = base_cells("91010", number)
        for header in ("Ngày cập nhật", "Ngày tiếp nhận", "Ngày hẹn trả"):
            cells[header] = datetime.strptime(cells[header], "%d/%m/%Y %H:%M:%S")
        cells.update(
            {
                "Phiên bản": 2,
                "Thời hạn giải quyết (ngày)": 1,
                "Số lần yêu cầu bổ sung": 0,
                "Phí, lệ phí (đồng)": 0,
                "Mã thủ tục": 1.0028,
                "Tên thủ tục": "Cấp giấy phép di dời công trình",
                "Lĩnh vực": "Hoạt động xây dựng",
                "Mã lĩnh vực": "XD",
            }
        )
        cells.update(changes)
        return [cells[h] for h in HEADERS]

    code_column = HEADERS.index("Mã thủ tục") + 1
    unit_column = HEADERS.index("Mã đơn vị") + 1
    xlsx_rows = [
        xrow(1001, **{"Mã đơn vị": 91010}),  # code 0.000000, unit 00000: both shown in full
        xrow(1002),  # code in General: digits may be lost
        xrow(1003, **{"Ngày cập nhật": "10/06/2025 09:15:00", "Mã thủ tục": "1.002800"}),  # text forms still work
    ]
    formats = {(2, code_column): "0.000000", (2, unit_column): "00000", (3, code_column): "General"}
    files[f"91010_{DAY}.xlsx"] = xlsx_cells_and_book(xlsx_rows, formats)
    shown = {
        "procedure_code": "1.002800",
        "procedure_name": "Cấp giấy phép di dời công trình",
        "unit_code": "91010",
        "updated_at": "2025-06-10T09:15:00+07:00",
        "received_at": "2025-06-10T08:30:00+07:00",
        "appointment_due_at": "2025-06-11T08:30:00+07:00",
        "version": 2,
    }
    manifest[f"91010_{DAY}.xlsx"] = {
        "kind": "xlsx_dates_and_numeric_codes",
        "format": "xlsx",
        "rows": [
            {"sheet_row": 2, "expect": "load", "payload": {"dossier_code": f"{AGENCY}-250610-1001", **shown}},
            {"sheet_row": 3, "expect": "quarantine", "fields": ["Mã thủ tục"], "why": "numeric code, General format"},
            {"sheet_row": 4, "expect": "load", "payload": {"dossier_code": f"{AGENCY}-250610-1003", **shown}},
        ],
    }

    # UTF-8 BOM; the third row has an unknown status label.
    drop = CsvDrop("91011", "bom").bom().header()
    drop.row(base_cells("91011", 1101), "load")
    drop.row(base_cells("91011", 1102), "load")
    drop.row(base_cells("91011", 1103, **{"Trạng thái": "Đang chờ"}), "quarantine", fields=["Trạng thái"])
    add(drop)

    # Mixed line endings and empty lines (row numbers still count them).
    drop = CsvDrop("91012", "mixed_line_endings").header("\r\n")
    drop.row(base_cells("91012", 1201), "load", "\n")
    drop.blank("\r\n").blank("\n")
    drop.row(base_cells("91012", 1202), "load", "\r")
    drop.row(base_cells("91012", 1203, **{"Phiên bản": "hai"}), "quarantine", "\r\n", fields=["Phiên bản"])
    drop.blank("\n")
    drop.row(base_cells("91012", 1204), "load", "")
    add(drop)

    # Duplicated rows: identical twice; same code + version with different content.
    drop = CsvDrop("91013", "duplicates").header()
    same = base_cells("91013", 1301)
    drop.row(same, "load").row(same, "duplicate")
    other = base_cells("91013", 1302)
    drop.row(other, "load")
    drop.row(
        {**other, "Trạng thái": "Đang xử lý"},
        "quarantine",
        fields=["status"],
        why="same dossier and version, other status",
    )
    drop.row(base_cells("91013", 1303), "load")
    add(drop)

    # A quoted cell with a line break (Excel writes LF inside cells, CRLF between rows).
    drop = CsvDrop("91014", "multiline_cell").header()
    drop.row(base_cells("91014", 1401, **{"Địa chỉ": "Xóm 3\nxã Nghi Phong"}), "load")
    drop.row(
        base_cells("91014", 1402, **{"Địa chỉ": "Xóm 4\r\nxã Nghi Phong", "Ngày cập nhật": "10/06/2025 9h15"}),
        "quarantine",
        fields=["Ngày cập nhật"],
        why="bad date in a two-line row",
    )
    drop.row(base_cells("91014", 1403), "load")
    add(drop)

    # A stray quote in 'Chủ hồ sơ' that closes only at a later row's quoted address.
    drop = CsvDrop("91015", "stray_quote").header()
    drop.row(base_cells("91015", 1501), "load")
    stray = csv_text([base_cells("91015", 1502)[h] for h in HEADERS]).replace("Nguyễn Thị Hương", '"Nguyễn Thị Hương')
    drop.line_text(stray, "quarantine", fields=["Chủ hồ sơ"], why="unclosed quote")
    drop.row(base_cells("91015", 1503), "load")
    drop.row(base_cells("91015", 1504, **{"Địa chỉ": "Xóm 5, xã Nghi Phong"}), "load")  # quoted (comma)
    drop.row(base_cells("91015", 1505), "load")
    add(drop)

    # A stray quote in the last column: the merged record would keep the header's cell count.
    drop = CsvDrop("91016", "stray_quote_last_column").header()
    drop.row(base_cells("91016", 1601), "load")
    stray = csv_text([base_cells("91016", 1602)[h] for h in HEADERS]).replace("Xóm 2 xã", '"Xóm 2 xã')
    drop.line_text(stray, "quarantine", fields=["Địa chỉ"], why="unclosed quote in the last column")
    drop.row(base_cells("91016", 1603), "load")
    drop.row(base_cells("91016", 1604), "load")
    add(drop)

    # An extra column: kept in the payload, reported as schema drift.
    drop = CsvDrop("91017", "extra_column", headers=[*HEADERS, "Ghi chú"]).header()
    for n, note in enumerate(["Hồ sơ ưu tiên", ""], start=1):
        cells = {**base_cells("91017", 1700 + n), "Ghi chú": note}
        drop.row(cells, "load", payload={**expected_payload(cells), "ghi_chú": note or None})
    add(drop)
    manifest[drop.name]["unknown_fields"] = ["ghi_chú"]

    # A wrong header: 'Ma ho so' without diacritics, so the required 'Mã hồ sơ' is missing.
    headers = ["Ma ho so" if h == "Mã hồ sơ" else h for h in HEADERS]
    drop = CsvDrop("91018", "wrong_header", headers=headers).header()
    for n in range(1, 4):
        cells = base_cells("91018", 1800 + n)
        cells["Ma ho so"] = cells["Mã hồ sơ"]
        drop.row(cells, "quarantine", fields=["Mã hồ sơ"], why="required column missing")
    add(drop)

    # Bytes that are text in no supported encoding: the file cannot be split into rows.
    files[f"91019_{DAY}.csv"] = bytes(range(256)) * 3
    manifest[f"91019_{DAY}.csv"] = {
        "kind": "undecodable",
        "format": "csv",
        "whole_file": True,
        "rows": [{"expect": "quarantine", "fields": ["decode"], "why": "not text"}],
    }
    return files, manifest


def main() -> None:
    files, manifest = build()
    DROPS.mkdir(parents=True, exist_ok=True)
    for old in DROPS.iterdir():
        if old.name not in files:
            old.unlink()
    for name, data in files.items():
        (DROPS / name).write_bytes(data)
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for name in sorted(files):
        print(f"{name}\t{len(files[name])} bytes\t{manifest[name]['kind']}\t{len(manifest[name]['rows'])} rows")


if __name__ == "__main__":
    main()
