"""Spreadsheet drops (tệp Excel/CSV) from units without an API.

``write_spreadsheet_drop`` writes, for each unit and day, the dossiers that changed that day
(the same records the dossier feed serves for that day) as flat rows with Vietnamese headers,
as CSV and/or XLSX, optionally in a legacy Vietnamese encoding:

- ``utf-8`` (default), ``utf-8-nfd`` (decomposed Unicode), ``cp1258`` (Windows-1258),
  ``tcvn3`` (TCVN3/ABC, .VnTime), ``vni`` (VNI-Windows), or ``mixed`` (one per unit, chosen
  from the seed).
- CSV: the file's bytes are in that encoding. XLSX stores Unicode, so a legacy encoding shows
  the way it does in real files typed with a legacy font: each byte of the legacy text becomes
  the Windows-1252 character of that byte (what Excel shows without the .VnTime/VNI font).

Run as ``python -m motcua_simulator.spreadsheets FOLDER --day 2025-06-30 --units 430``.
"""

from __future__ import annotations

import argparse
import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from motcua.domain import dossier_statuses
from motcua_simulator.clock import rng_for
from motcua_simulator.dossiers import VN_TZ, SimulationProfile
from motcua_simulator.reference import all_units, in_force
from motcua_simulator.sources import dossier_entities, interval_records

ENCODINGS = ("utf-8", "utf-8-nfd", "cp1258", "tcvn3", "vni")
CHANNEL_LABELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích", None: ""}
STATUS_LABELS = {status.code: status.spreadsheet_label for status in dossier_statuses()}


def _ts(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S")


def _yes(value: bool) -> str:
    return "Có" if value else "Không"


#: (Vietnamese header, how to get the cell from a dossier record). Documented in the contract.
COLUMNS: tuple[tuple[str, object], ...] = (
    ("Mã hồ sơ", lambda r: r["dossier_code"]),
    ("Phiên bản", lambda r: r["version"]),
    ("Ngày cập nhật", lambda r: _ts(r["updated_at"])),
    ("Mã đơn vị", lambda r: r["unit_code"]),
    ("Cấp đơn vị", lambda r: {"district": "Huyện", "agency": "Sở, ngành"}.get(r["unit_level"], "Xã")),
    ("Mã thủ tục", lambda r: r["procedure_code"]),
    ("Tên thủ tục", lambda r: r["procedure_name"]),
    ("Mã lĩnh vực", lambda r: r["field_code"]),
    ("Lĩnh vực", lambda r: r["field_name"]),
    ("Kênh nộp", lambda r: CHANNEL_LABELS[r["channel"]]),
    ("Trạng thái", lambda r: STATUS_LABELS[r["status"]]),
    ("Ngày tiếp nhận", lambda r: _ts(r["received_at"])),
    ("Ngày hẹn trả", lambda r: _ts(r["appointment_due_at"])),
    ("Thời hạn giải quyết (ngày)", lambda r: r["statutory_working_days"]),
    ("Ngày có kết quả", lambda r: _ts(r["completed_at"])),
    ("Ngày trả kết quả", lambda r: _ts(r["returned_at"])),
    ("Số lần yêu cầu bổ sung", lambda r: len(r["supplement_requests"])),
    ("Số hoá", lambda r: _yes(r["is_digitised"])),
    ("Kết quả điện tử", lambda r: _yes(r["has_electronic_result"])),
    ("Phí, lệ phí (đồng)", lambda r: r["fee_amount"]),
    ("Thanh toán trực tuyến", lambda r: _yes(r["paid_online"])),
    ("Ngày gửi phiếu xin lỗi", lambda r: _ts(r["apology_letter_issued_at"])),
    ("Chủ hồ sơ", lambda r: r["applicant"]["full_name"]),
    ("Số định danh", lambda r: r["applicant"]["id_number"]),
    ("Số điện thoại", lambda r: r["applicant"]["phone"]),
    ("Địa chỉ", lambda r: r["applicant"]["address"]),
)
HEADERS = tuple(h for h, _ in COLUMNS)


def encode_text(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` (see :data:`ENCODINGS`), via :mod:`motcua.textcodecs` if present."""
    try:
        from motcua.textcodecs import encode
    except ImportError:  # pragma: no cover - the codec package ships with the project
        encode = None
    if encode is not None:
        return encode(text, encoding, errors="fold")
    text = unicodedata.normalize("NFC", text)
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "utf-8-nfd":
        return unicodedata.normalize("NFD", text).encode("utf-8")
    if encoding == "cp1258":
        out = bytearray()
        for char in text:
            decomposed = unicodedata.normalize("NFD", char)
            for cut in range(len(decomposed), 0, -1):
                head, tail = unicodedata.normalize("NFC", decomposed[:cut]), decomposed[cut:]
                try:
                    out += head.encode("cp1258") + tail.encode("cp1258")
                    break
                except UnicodeEncodeError:
                    continue
            else:
                out += b"?"
        return bytes(out)
    raise NotImplementedError(f"{encoding}: needs motcua.textcodecs")


def decode_text(data: bytes, encoding: str) -> str:
    """Inverse of :func:`encode_text` (NFC)."""
    try:
        from motcua.textcodecs import decode
    except ImportError:  # pragma: no cover
        decode = None
    if decode is not None:
        return decode(data, encoding)
    codec = "cp1258" if encoding == "cp1258" else "utf-8"
    return unicodedata.normalize("NFC", data.decode(codec))


def _as_cell_text(data: bytes, encoding: str) -> str:
    if encoding in ("utf-8", "utf-8-nfd"):
        return data.decode("utf-8")
    # A legacy font shows Windows-1252 glyphs; bytes cp1252 leaves undefined map to Latin-1.
    return "".join(_cp1252(b) for b in data)


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def cell_text_to_bytes(text: str) -> bytes:
    """Undo the XLSX legacy-font representation: the legacy bytes behind a cell's text."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            out.append(ord(char))
    return bytes(out)


@dataclass(frozen=True)
class DropFile:
    path: Path
    unit_code: str
    day: date
    encoding: str
    format: str  # csv | xlsx
    records: tuple[dict, ...]  # the dossier records the rows come from (ground truth)


def drop_records(unit_code: str, day: date, profile: SimulationProfile) -> list[dict]:
    """Dossier records of ``unit_code`` that changed on ``day`` (as of the end of the day)."""
    since = datetime.combine(day, time(0), VN_TZ)
    until = since + timedelta(days=1)
    rows = []
    for unit in all_units():
        if unit.code != unit_code:
            continue
        if in_force(unit, day):
            rows.extend(interval_records(dossier_entities(unit, since, until, profile), since, until))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [record for _, _, record in rows]


def encoding_for(unit_code: str, encoding: str, profile: SimulationProfile) -> str:
    if encoding != "mixed":
        return encoding
    return rng_for(profile.seed, "drop-encoding", unit_code).choice(ENCODINGS)


def write_spreadsheet_drop(
    folder: Path | str,
    unit_codes: Iterable[str],
    day: date,
    profile: SimulationProfile | None = None,
    encoding: str = "utf-8",
    formats: Sequence[str] = ("csv", "xlsx"),
) -> list[DropFile]:
    """Write ``{unit_code}_{yyyymmdd}.csv`` / ``.xlsx`` for each unit into ``folder``."""
    from openpyxl import Workbook

    profile = profile or SimulationProfile()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[DropFile] = []
    for unit_code in unit_codes:
        enc = encoding_for(unit_code, encoding, profile)
        if enc not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS} or 'mixed', not {enc!r}")
        records = drop_records(unit_code, day, profile)
        rows = [[getter(r) for _, getter in COLUMNS] for r in records]  # type: ignore[operator]
        stem = f"{unit_code}_{day:%Y%m%d}"
        if "csv" in formats:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(HEADERS)
            writer.writerows(rows)
            path = folder / f"{stem}.csv"
            path.write_bytes(encode_text(buffer.getvalue(), enc))
            written.append(DropFile(path, unit_code, day, enc, "csv", tuple(records)))
        if "xlsx" in formats:
            book = Workbook()
            sheet = book.active
            sheet.title = "Ho so"
            for row in [list(HEADERS), *rows]:
                sheet.append([_as_cell_text(encode_text(v, enc), enc) if isinstance(v, str) else v for v in row])
            path = folder / f"{stem}.xlsx"
            book.save(path)
            written.append(DropFile(path, unit_code, day, enc, "xlsx", tuple(records)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write simulated spreadsheet drops (one file per unit and day).")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--day", required=True, type=date.fromisoformat)
    parser.add_argument("--days", type=int, default=1, help="number of consecutive days")
    parser.add_argument("--units", required=True, help="comma-separated unit codes")
    parser.add_argument("--encoding", default="utf-8", choices=[*ENCODINGS, "mixed"])
    parser.add_argument("--format", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--seed", type=int, default=SimulationProfile.seed)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    profile = SimulationProfile(seed=args.seed, scale=args.scale)
    for offset in range(args.days):
        for drop in write_spreadsheet_drop(
            args.folder, args.units.split(","), args.day + timedelta(days=offset), profile, args.encoding, args.format
        ):
            print(f"{drop.path}\t{drop.encoding}\t{len(drop.records)} rows")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
