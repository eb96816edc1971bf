"""Spreadsheet drops from units without an API (tệp Excel/CSV): read, decode, map to records.

A drop is ``{unit_code}_{yyyymmdd}.csv`` or ``.xlsx`` with the Vietnamese headers of the feed
contract (docs/feed_contract.md, "Spreadsheet drops"). Files typed with legacy Vietnamese fonts
arrive in Windows-1258, TCVN3 or VNI (in XLSX, as the Windows-1252 glyphs of those bytes); the
encoding is detected once per file, every cell is decoded and normalised to NFC. A row that
cannot be decoded or converted becomes a record-less item with its reason, for quarantine.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from motcua.textcodecs import TextCodecError, decode, decode_bytes, normalise_nfc

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FILE_NAME = re.compile(r"^(?P<unit>\d{2,5})_(?P<day>\d{8})\.(?P<ext>csv|xlsx)$", re.IGNORECASE)

CHANNELS = {"trực tiếp": 1, "trực tuyến": 2, "bưu chính công ích": 3, "": None}
STATUSES = {
    "mới nộp trực tuyến": 1,
    "đã tiếp nhận": 2,
    "từ chối tiếp nhận": 3,
    "đang xử lý": 4,
    "yêu cầu bổ sung": 5,
    "chờ thực hiện nghĩa vụ tài chính": 6,
    "rút hồ sơ": 7,
    "dừng xử lý": 8,
    "có kết quả": 9,
    "đã trả kết quả": 10,
}
YES_NO = {"có": True, "không": False, "": None}
LEVELS = {"huyện": "district", "xã": "commune"}


def _text(v: str) -> str | None:
    return v or None


def _int(v: str) -> int | None:
    return int(float(v)) if v else None


def _number(v: str) -> float | int | None:
    if not v:
        return None
    number = float(v.replace(",", "."))
    return int(number) if number.is_integer() else number


def _timestamp(v: str) -> str | None:
    """``dd/mm/yyyy HH:MM:SS`` in Vietnam time (no offset in the file) -> ISO with +07:00."""
    if not v:
        return None
    return datetime.strptime(v, "%d/%m/%Y %H:%M:%S").replace(tzinfo=VN_TZ).isoformat()


def _label(table: dict):
    def convert(v: str):
        key = v.strip().lower()
        if key not in table:
            raise ValueError(f"unknown label {v!r}")
        return table[key]

    return convert


#: Vietnamese header -> (field of the record, converter). Personal data is kept, for raw only.
HEADER_FIELDS = {
    "mã hồ sơ": ("dossier_code", _text),
    "phiên bản": ("version", _int),
    "ngày cập nhật": ("updated_at", _timestamp),
    "mã đơn vị": ("unit_code", _text),
    "cấp đơn vị": ("unit_level", _label(LEVELS)),
    "mã thủ tục": ("procedure_code", _text),
    "tên thủ tục": ("procedure_name", _text),
    "mã lĩnh vực": ("field_code", _text),
    "lĩnh vực": ("field_name", _text),
    "kênh nộp": ("channel", _label(CHANNELS)),
    "trạng thái": ("status", _label(STATUSES)),
    "ngày tiếp nhận": ("received_at", _timestamp),
    "ngày hẹn trả": ("appointment_due_at", _timestamp),
    "thời hạn giải quyết (ngày)": ("statutory_working_days", _number),
    "ngày có kết quả": ("completed_at", _timestamp),
    "ngày trả kết quả": ("returned_at", _timestamp),
    "số lần yêu cầu bổ sung": ("supplement_request_count", _int),
    "số hoá": ("is_digitised", _label(YES_NO)),
    "kết quả điện tử": ("has_electronic_result", _label(YES_NO)),
    "phí, lệ phí (đồng)": ("fee_amount", _number),
    "thanh toán trực tuyến": ("paid_online", _label(YES_NO)),
    "ngày gửi phiếu xin lỗi": ("apology_letter_issued_at", _timestamp),
    "chủ hồ sơ": ("applicant.full_name", _text),
    "số định danh": ("applicant.id_number", _text),
    "số điện thoại": ("applicant.phone", _text),
    "địa chỉ": ("applicant.address", _text),
}


class DropFileError(ValueError):
    """The file as a whole cannot be read (name, format, header); its bytes go to quarantine."""


@dataclass(frozen=True)
class DropRow:
    """One data row: the record, or the reason it could not be built, and its original bytes."""

    raw: bytes
    record: dict | None
    reason: str | None


@dataclass(frozen=True)
class DropContents:
    unit_code: str
    encoding: str
    confidence: float
    rows: list[DropRow]


def parse_file_name(path: Path) -> tuple[str, str]:
    match = FILE_NAME.match(path.name)
    if not match:
        raise DropFileError(f"{path.name}: expected {{unit_code}}_{{yyyymmdd}}.csv or .xlsx")
    return match["unit"], match["ext"].lower()


def _record(headers: list[str], cells: list[str], file_name: str, row_number: int) -> dict:
    if len(cells) != len(headers):
        raise ValueError(f"{len(cells)} cells for {len(headers)} headers")
    record: dict = {}
    for header, cell in zip(headers, cells, strict=True):
        field, convert = HEADER_FIELDS[header]
        try:
            value = convert(normalise_nfc(cell.strip()))
        except ValueError as err:
            raise ValueError(f"column {header!r}: {err}") from None
        if field.startswith("applicant."):
            record.setdefault("applicant", {})[field.split(".", 1)[1]] = value
        else:
            record[field] = value
    return record


def _headers(raw_headers: list[str], file_name: str) -> list[str]:
    headers = [normalise_nfc(h).strip().lower() for h in raw_headers]
    unknown = [h for h in headers if h not in HEADER_FIELDS]
    if unknown:
        raise DropFileError(f"{file_name}: unknown columns {unknown}")
    if "mã hồ sơ" not in headers or "phiên bản" not in headers:
        raise DropFileError(f"{file_name}: the columns 'Mã hồ sơ' and 'Phiên bản' are required")
    return headers


def _rows(headers: list[str], rows: list[tuple[bytes, list[str]]], file_name: str) -> list[DropRow]:
    out = []
    for number, (raw, cells) in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        try:
            out.append(DropRow(raw, _record(headers, cells, file_name, number), None))
        except ValueError as err:
            out.append(DropRow(raw, None, f"{file_name} row {number}: {err}"))
    return out


def read_csv(path: Path) -> DropContents:
    unit_code, _ = parse_file_name(path)
    data = path.read_bytes()
    try:
        decoded = decode_bytes(data)
    except TextCodecError as err:
        raise DropFileError(f"{path.name}: cannot decode the file: {err}") from None
    # Lines split on bytes: CR, LF and comma are ASCII in every supported encoding.
    raw_lines = [line for line in data.splitlines() if line.strip()]
    parsed = list(csv.reader(io.StringIO(decoded.text, newline="")))
    parsed = [row for row in parsed if any(cell.strip() for cell in row)]
    if not parsed:
        raise DropFileError(f"{path.name}: empty file")
    headers = _headers(parsed[0], path.name)
    if len(raw_lines) != len(parsed):  # a quoted cell with a line break: fall back to decoded text
        raw_lines = [",".join(row).encode() for row in parsed]
    rows = list(zip(raw_lines[1:], parsed[1:], strict=True))
    return DropContents(unit_code, decoded.encoding, decoded.confidence, _rows(headers, rows, path.name))


def _legacy_bytes(text: str) -> bytes | None:
    """The bytes behind a cell shown with a legacy font (Windows-1252 glyphs), or None for Unicode."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 255:
                return None  # a character no legacy font could show: the cell is real Unicode
            out.append(ord(char))
    return bytes(out)


def read_xlsx(path: Path) -> DropContents:
    from openpyxl import load_workbook

    unit_code, _ = parse_file_name(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a corrupt file
        raise DropFileError(f"{path.name}: not a readable XLSX file ({type(err).__name__}: {err})") from None
    sheet = book.worksheets[0]
    table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise DropFileError(f"{path.name}: empty sheet")
    texts = [cell for row in table for cell in row if cell]
    as_bytes = [_legacy_bytes(t) for t in texts]
    encoding, confidence = "utf-8", 1.0
    if all(b is not None for b in as_bytes) and any(any(x > 127 for x in b) for b in as_bytes if b):
        # Every cell fits a legacy font: detect the encoding once on all of them together.
        try:
            detected = decode_bytes(b"\n".join(b for b in as_bytes if b is not None))
        except TextCodecError as err:
            raise DropFileError(f"{path.name}: cannot decode the cells: {err}") from None
        encoding, confidence = detected.encoding, detected.confidence
    if encoding not in ("utf-8", "utf-8-nfd"):
        table = [[decode(_legacy_bytes(cell) or b"", encoding) if cell else "" for cell in row] for row in table]
    headers = _headers(table[0], path.name)
    rows = [("\t".join(row).encode(), row) for row in table[1:]]
    return DropContents(unit_code, encoding, confidence, _rows(headers, rows, path.name))


def read_drop(path: Path) -> DropContents:
    """Read one drop file (CSV or XLSX) into decoded rows."""
    _, ext = parse_file_name(path)
    return read_csv(path) if ext == "csv" else read_xlsx(path)


def drop_files(folder: Path) -> Iterator[Path]:
    """Candidate files in the drop folder, oldest name first (names carry the day)."""
    if not folder.is_dir():
        return iter(())
    return iter(sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")))
