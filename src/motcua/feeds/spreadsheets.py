"""Spreadsheet drops from units without an API (tệp Excel/CSV): read, decode, map to records.

A drop is ``{unit_code}_{yyyymmdd}.csv`` or ``.xlsx`` with the Vietnamese headers of the feed
contract (docs/feed_contract.md, "Spreadsheet drops"). Files typed with legacy Vietnamese fonts
arrive in Windows-1258, TCVN3 or VNI (in XLSX, as the Windows-1252 glyphs of those bytes); the
encoding is detected once per file, every cell is decoded and normalised to NFC.

Every data row of the file becomes one :class:`DropRow`: a record, or the reason it could not
be built (naming the column and the file's row numbers) and the row's original bytes, for
quarantine. Only a file that cannot be split into rows at all (bad name, undecodable bytes, a
corrupt XLSX) raises :class:`DropFileError`; a file whose rows can be split but whose header is
unusable yields each data row with that file-level reason.

CSV rows keep their exact bytes: the file is split into physical lines (CR, LF or CRLF), each
line decoded with the file's encoding and fed to :mod:`csv`, so a record's bytes are the bytes of
the physical lines it spans (line breaks inside quoted cells included, the record's final line
break not). XLSX has no bytes per row: a row's "original bytes" are its stored cell values (the
text as stored, legacy glyphs included) as a UTF-8 JSON array.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from motcua.domain import TIME_ZONE, dossier_statuses
from motcua.landing.contracts import UNIT_CODE_PATTERN
from motcua.textcodecs import TextCodecError, decode, decode_bytes, normalise_nfc

VN_TZ = TIME_ZONE
FILE_NAME = re.compile(rf"^(?P<unit>{UNIT_CODE_PATTERN})_(?P<day>\d{{8}})\.(?P<ext>csv|xlsx)$", re.IGNORECASE)

CHANNELS = {"trực tiếp": 1, "trực tuyến": 2, "bưu chính công ích": 3, "": None}
#: Trạng thái label (lower case) -> status code, from the status seed's spreadsheet_label.
STATUSES = {status.spreadsheet_label.lower(): status.code for status in dossier_statuses()}
YES_NO = {"có": True, "không": False, "": None}
LEVELS = {"huyện": "district", "xã": "commune", "sở, ngành": "agency"}
TIMESTAMP_FORMAT = "%d/%m/%Y %H:%M:%S"
_INTEGER = re.compile(r"^[+-]?\d+$")


def _text(v: str) -> str | None:
    return v or None


def _int(v: str | int | float) -> int | None:
    """An integer; ``2`` and ``2.0`` are 2, ``2.5`` is refused (never truncated)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        number = v
    elif not v:
        return None
    elif _INTEGER.match(v):
        return int(v)
    else:
        try:
            number = float(v.replace(",", "."))
        except ValueError:
            raise ValueError(f"not an integer: {v[:60]!r}") from None
    if not float(number).is_integer():
        raise ValueError(f"not an integer: {number!r}")
    return int(number)


def _number(v: str | int | float) -> float | int | None:
    if isinstance(v, int | float) and not isinstance(v, bool):
        number = v
    elif not v:
        return None
    else:
        try:
            number = float(v.replace(",", "."))
        except ValueError:
            raise ValueError(f"not a number: {v[:60]!r}") from None
    return int(number) if float(number).is_integer() else number


def _timestamp(v: str | datetime) -> str | None:
    """``dd/mm/yyyy HH:MM:SS`` text or an Excel date cell, Vietnam time -> ISO with +07:00."""
    if isinstance(v, datetime):
        moment = v if v.tzinfo is not None else v.replace(tzinfo=VN_TZ)
        return moment.astimezone(VN_TZ).isoformat()
    if not v:
        return None
    try:
        moment = datetime.strptime(v, TIMESTAMP_FORMAT)
    except ValueError:
        raise ValueError(f"not a date-time dd/mm/yyyy HH:MM:SS: {v[:60]!r}") from None
    return moment.replace(tzinfo=VN_TZ).isoformat()


def _label(table: dict):
    def convert(v: str | bool):
        if isinstance(v, bool) and table is YES_NO:  # an Excel TRUE/FALSE cell
            return v
        key = str(v).strip().lower()
        if key not in table:
            raise ValueError(f"unknown label {str(v)[:60]!r}")
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
#: Other spellings of the same header (old and new tone placement).
HEADER_ALIASES = {"số hóa": "số hoá"}
REQUIRED_HEADERS = ("mã hồ sơ", "phiên bản")
#: Columns holding codes: text whose digits matter (leading zeros, trailing zeros after the dot).
#: A number in such a cell is only accepted when its number format shows every digit.
CODE_HEADERS = frozenset({"mã hồ sơ", "mã đơn vị", "mã thủ tục", "mã lĩnh vực", "số định danh", "số điện thoại"})
#: Field names an unknown column must not take (they would overwrite or impersonate a known field).
RESERVED_FIELDS = frozenset(
    {f.split(".", 1)[0] for f, _ in HEADER_FIELDS.values()} | {"status_history", "supplement_requests", "kenh_nop"}
)


class DropFileError(ValueError):
    """The file cannot be split into rows (name, bytes, XLSX container): it is quarantined whole."""


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
    #: Why no row of the file could be used (bad header ...); each row carries it as its reason.
    problem: str | None = None


def parse_file_name(path: Path) -> tuple[str, str]:
    match = FILE_NAME.match(path.name)
    if not match:
        raise DropFileError(f"{path.name}: expected {{unit_code}}_{{yyyymmdd}}.csv or .xlsx")
    return match["unit"], match["ext"].lower()


# --- header -> columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a file: its header as written (NFC) and the record field it fills."""

    number: int  # 1-based
    header: str  # NFC, whitespace collapsed, as written
    key: str  # lower-case header used for lookup ("" for an empty header)
    field: str  # record field; dotted for applicant.*; an unknown column's own name
    convert: Callable | None  # None: unknown column, kept as text

    @property
    def known(self) -> bool:
        return self.convert is not None

    @property
    def is_code(self) -> bool:
        return self.key in CODE_HEADERS

    def label(self) -> str:
        return repr(self.header) if self.header else f"#{self.number} (no header)"


def unknown_field_name(header: str, number: int, taken: set[str]) -> str:
    """Record field of a column the contract does not know: the header in NFC, lower case,
    whitespace runs to ``_`` (``Ghi chú`` -> ``ghi_chú``); ``column_{n}`` for an empty header;
    ``{name}_{n}`` when that name is a known field or already taken by an earlier column."""
    name = "_".join(normalise_nfc(header).lower().split())
    if not name:
        return f"column_{number}"
    if name in RESERVED_FIELDS or name in taken:
        return f"{name}_{number}"
    return name


def columns_of(raw_headers: list[str]) -> tuple[list[Column], str | None]:
    """The columns of a header row, and the file-level problem if the header is unusable."""
    columns: list[Column] = []
    taken: set[str] = set()
    seen: dict[str, int] = {}
    problems = []
    for number, raw in enumerate(raw_headers, start=1):
        header = " ".join(normalise_nfc(raw).split())
        key = header.lower()
        key = HEADER_ALIASES.get(key, key)
        if key in HEADER_FIELDS:
            if key in seen:
                problems.append(f"column {header!r} appears twice (columns {seen[key]} and {number})")
            seen[key] = number
            field_name, convert = HEADER_FIELDS[key]
            columns.append(Column(number, header, key, field_name, convert))
        else:
            field_name = unknown_field_name(header, number, taken)
            columns.append(Column(number, header, key, field_name, None))
        taken.add(columns[-1].field)
    missing = [h for h in REQUIRED_HEADERS if h not in seen]
    if missing:
        names = ", ".join(repr(h.capitalize()) for h in missing)
        others = [c.header for c in columns if not c.known]
        problems.insert(0, f"required column(s) {names} missing from the header (headers it does not know: {others})")
    return columns, "; ".join(problems) or None


def _where(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}-{last}"


def _record(columns: list[Column], values: list) -> dict:
    """Build the record; raises ValueError naming the column."""
    record: dict = {}
    for column, value in zip(columns, values, strict=True):
        if not column.known:
            if not column.header and value in ("", None):
                continue  # an unnamed, empty cell (trailing separator, formatting only)
            record[column.field] = (value or None) if isinstance(value, str) else value
            continue
        try:
            converted = column.convert(value)  # type: ignore[misc]
        except ValueError as err:
            raise ValueError(f"column {column.label()}: {err}") from None
        if column.field.startswith("applicant."):
            record.setdefault("applicant", {})[column.field.split(".", 1)[1]] = converted
        else:
            record[column.field] = converted
    return record


@dataclass
class _Row:
    first: int  # physical line (CSV) or sheet row (XLSX), 1-based
    last: int
    raw: bytes
    record: dict | None = None
    reason: str | None = None


def _finish(file_name: str, rows: list[_Row]) -> list[DropRow]:
    """Within one file, a dossier version repeated with different content: keep the first, quarantine
    the others here with their own bytes and the differing fields (identical repeats stay: the loader
    counts them as already present)."""
    first_seen: dict[tuple, _Row] = {}
    out = []
    for row in rows:
        record = row.record
        key = (record.get("dossier_code"), record.get("version")) if record is not None else None
        if record is not None and isinstance(key[0], str) and key[0] and isinstance(key[1], int):
            if key in first_seen and first_seen[key].record != record:
                earlier = first_seen[key]
                fields = _differing_fields(earlier.record or {}, record)
                row.reason = (
                    f"{file_name} {_where(row.first, row.last)}: dossier {key[0]!r} version {key[1]!r} already "
                    f"appears in {_where(earlier.first, earlier.last)} with different content (fields: "
                    f"{', '.join(fields)})"
                )
                row.record = None
            else:
                first_seen.setdefault(key, row)
        out.append(DropRow(row.raw, row.record, row.reason))
    return out


def _differing_fields(a: dict, b: dict) -> list[str]:
    out = []
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name), b.get(name)
        if isinstance(x, dict) and isinstance(y, dict):
            out += [f"{name}.{sub}" for sub in sorted(set(x) | set(y)) if x.get(sub) != y.get(sub)]
        elif x != y:
            out.append(name)
    return out


# --- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    raw: bytes  # without the line break
    end: bytes  # the line break as in the file: b"\r\n", b"\n", b"\r" or b"" (last line)
    text: str  # decoded, NFC, with its line break (csv needs it)
    lossy: bool  # bytes the encoding leaves undefined were replaced with U+FFFD


def _split_end(line: bytes) -> tuple[bytes, bytes]:
    for end in (b"\r\n", b"\n", b"\r"):
        if line.endswith(end):
            return line[: -len(end)], end
    return line, b""


_TEXT_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def physical_lines(data: bytes, encoding: str) -> list[_Line]:
    """The file's lines (split on CR, LF, CRLF only), each with its exact bytes and its text."""
    if encoding == "utf-16":  # code units of two bytes: split the text, the bytes follow exactly
        codec = "utf-16-be" if data.startswith(codecs.BOM_UTF16_BE) else "utf-16-le"
        out = []
        for number, piece in enumerate(_TEXT_LINES.findall(data[2:].decode(codec))):
            body = piece.rstrip("\r\n")
            raw = (data[:2] if number == 0 else b"") + body.encode(codec)
            out.append(_Line(raw, piece[len(body) :].encode(codec), normalise_nfc(piece), False))
        return out
    out = []
    for number, line in enumerate(data.splitlines(keepends=True)):
        raw, end = _split_end(line)
        lossy = False
        if encoding in ("utf-8", "utf-8-nfd"):
            text = line.decode("utf-8")  # the whole file is valid UTF-8, so is each line
            if number == 0 and text.startswith("\ufeff"):
                text = text[1:]
            text = normalise_nfc(text)
        else:
            try:
                text = decode(line, encoding)
            except TextCodecError:
                text, lossy = decode(line, encoding, errors="replace"), True
        out.append(_Line(raw, end, text, lossy))
    return out


class _Feed:
    """The decoded lines as an iterator for csv.reader; ``pos`` is the next line's index."""

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.pos = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1].text


def _scan(text: str) -> tuple[list[int], int | None]:
    """The length of each cell of one CSV line, and the 0-based index of the cell whose opening
    quote is still open at its end (None if every quote closes). Same rules as :mod:`csv`."""
    sizes, state = [0], "start"  # start | plain | quoted | quote_in_quoted
    opened = 0
    for char in text:
        if char == "," and state != "quoted":
            sizes.append(0)
            state = "start"
            continue
        sizes[-1] += 1
        if state == "start":
            if char == '"':
                state, opened = "quoted", len(sizes) - 1
            else:
                state = "plain"
        elif state == "quoted":
            if char == '"':
                state = "quote_in_quoted"
        elif state == "quote_in_quoted":
            state = "quoted" if char == '"' else "plain"
    return sizes, (opened if state == "quoted" else None)


def _open_quote(text: str) -> int | None:
    return _scan(text)[1]


def _parse_alone(text: str) -> list[str]:
    try:
        return next(csv.reader([text]), [])
    except csv.Error:  # a cell over the csv module's field size limit
        return []


def csv_records(
    lines: list[_Line], width: Callable[[], int | None]
) -> Iterator[tuple[int, int, list[str] | None, str | None]]:
    """(first line index, end line index, cells, error) of each CSV record. ``cells`` is None for a
    line that cannot be read as a row: its quote opens a cell that never closes where it should
    (see :func:`read_csv`), or the csv module refused it (``error``, e.g. a cell over its size limit).

    ``width()`` is the header's number of cells once known (None while reading the header).
    """
    feed = _Feed(lines)
    reader = csv.reader(feed)
    while feed.pos < len(lines):
        start, error = feed.pos, None
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:  # e.g. a runaway quoted cell over the field size limit
            cells, error = None, str(err)
        end = feed.pos
        suspicious = cells is None
        if not suspicious and end - start > 1:
            expected = width()
            # A record spanning lines is trusted only if it has the header's number of cells and
            # none of its continuation lines is, on its own, a whole row (a stray quote before
            # the last column merges rows while keeping the count).
            suspicious = (
                expected is None
                or len(cells) != expected
                or any(len(_parse_alone(line.text)) == expected for line in lines[start + 1 : end])
            )
        if not suspicious and end == len(lines) and _open_quote("".join(x.text for x in lines[start:end])) is not None:
            suspicious = True  # the last record ends inside an unclosed quote
        if suspicious:
            # The record's first line opened a quote that does not close on it: that line is the
            # bad row; read again from the next line, so the rows it swallowed come back.
            yield start, start + 1, None, error
            feed.pos = start + 1
            reader = csv.reader(feed)
            continue
        yield start, end, cells, None


def _blank(cells: list) -> bool:
    return not any(c.strip() if isinstance(c, str) else c is not None for c in cells)


def read_csv(path: Path) -> DropContents:
    unit_code, _ = parse_file_name(path)
    name = path.name
    data = path.read_bytes()
    try:
        decoded = decode_bytes(data)
    except TextCodecError as err:
        raise DropFileError(f"{name}: cannot decode the file: {err}") from None
    encoding = decoded.encoding
    lines = physical_lines(data, encoding)
    columns: list[Column] | None = None
    problem: str | None = None
    rows: list[_Row] = []

    def raw_of(start: int, end: int) -> bytes:
        return b"".join(x.raw + x.end for x in lines[start : end - 1]) + lines[end - 1].raw

    width: list[int] = []  # the header's number of cells, once read

    for start, end, cells, error in csv_records(lines, lambda: width[0] if width else None):
        first, last = start + 1, end
        if cells is not None and _blank(cells):
            continue  # empty line (or only separators): nothing arrived
        if columns is None:  # the header
            if cells is None:
                alone = _parse_alone(lines[start].text)
                columns, _ = columns_of(alone)
                problem = f"the header (row {first}) cannot be read: {error or 'a quote does not close'}"
            else:
                columns, problem = columns_of(cells)
            width.append(len(columns))
            continue
        where = f"{name} {_where(first, last)}"
        record, reason = None, problem
        if reason is not None:
            pass  # the file's header is unusable: every row carries that reason
        elif cells is None:
            sizes, opened = _scan(lines[start].text)
            if opened is None:
                widest = max(range(len(sizes)), key=sizes.__getitem__)
                column = columns[widest].label() if widest < len(columns) else f"#{widest + 1} (no header)"
                reason = f"column {column}: the CSV reader cannot read this line ({error})"
            else:
                column = columns[opened].label() if opened < len(columns) else f"#{opened + 1} (no header)"
                reason = f'column {column}: a quote (") opens the cell and does not close on this line'
        elif len(cells) != len(columns):
            reason = _count_problem(columns, cells)
        else:
            cells = [normalise_nfc(c).strip() for c in cells]
            lossy = any(x.lossy for x in lines[start:end])
            undefined = [c for c, v in zip(columns, cells, strict=True) if lossy and "\ufffd" in v]
            if undefined:
                reason = f"column {undefined[0].label()}: bytes undefined in {encoding} (replaced with U+FFFD)"
            else:
                try:
                    record = _record(columns, cells)
                except ValueError as err:
                    reason = str(err)
        rows.append(_Row(first, last, raw_of(start, end), record, f"{where}: {reason}" if reason else None))
    if columns is not None and problem and not rows:
        raise DropFileError(f"{name}: {problem}; the file has no data rows")
    return DropContents(
        unit_code, encoding, decoded.confidence, _finish(name, rows), f"{name}: {problem}" if problem else None
    )


def _count_problem(columns: list[Column], cells: list) -> str:
    if len(cells) < len(columns):
        return f"{len(cells)} cells for {len(columns)} columns: no cell for column {columns[len(cells)].label()}"
    return f"{len(cells)} cells for {len(columns)} columns: cell {len(columns) + 1} has no column"


# --- XLSX -----------------------------------------------------------------------------------


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


_DIGIT_FORMAT = re.compile(r"^(0+)(?:\.(0+))?$")


def number_as_shown(value: int | float, number_format: str | None) -> str | None:
    """The digits Excel shows for ``value`` with ``number_format`` if the format fixes them
    (``0``, ``00000``, ``0.000000``: zero placeholders only), else None (``General``, ``@``,
    ``#,##0`` ...: leading or trailing zeros of a code may already be lost)."""
    section = (number_format or "").split(";", 1)[0]
    match = _DIGIT_FORMAT.match(section)
    if not match or value < 0:
        return None
    decimals = len(match[2] or "")
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    shown = f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"
    whole, _, fraction = shown.partition(".")
    return whole.zfill(len(match[1])) + (f".{fraction}" if decimals else "")


def _general(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _xlsx_value(column: Column, value, number_format: str | None):
    """A typed cell as the converter of ``column`` takes it; raises ValueError for a lossy cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    convert = column.convert
    if isinstance(value, bool):
        if convert is None or column.key in ("số hoá", "kết quả điện tử", "thanh toán trực tuyến"):
            return value
        raise ValueError(f"a TRUE/FALSE cell ({value}) where {column.field} is expected")
    if isinstance(value, datetime | date | time | timedelta):
        if convert is _timestamp:
            if isinstance(value, datetime):
                return value
            if isinstance(value, date):
                return datetime.combine(value, time(0))
            raise ValueError(f"a time without a date ({value})")
        if convert is None:
            if isinstance(value, datetime):
                return (value if value.tzinfo else value.replace(tzinfo=VN_TZ)).isoformat()
            return value.isoformat() if not isinstance(value, timedelta) else str(value)
        raise ValueError(f"stored as a date ({value}), not as {column.field}: format the column as text")
    if isinstance(value, int | float):
        if convert is None or convert in (_int, _number):
            return value
        if convert is _timestamp:
            raise ValueError(f"a number ({value!r}), not a date-time: format the column as a date")
        shown = number_as_shown(value, number_format)
        if shown is not None:
            return shown
        if column.is_code:
            raise ValueError(
                f"stored as a number ({value!r}, number format {number_format or 'General'!r}); digits may be "
                "lost: format the column as text"
            )
        return _general(value)
    return str(value).strip()


def _stored(value) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def read_xlsx(path: Path) -> DropContents:
    from openpyxl import load_workbook

    unit_code, _ = parse_file_name(path)
    name = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # a wrong <dimension> must not cut rows off
            table: list[tuple[int, list]] = []  # (sheet row, [(value, number format)])
            for number, row in enumerate(sheet.iter_rows(), start=1):
                table.append((number, [(c.value, c.number_format if c.value is not None else None) for c in row]))
        finally:
            book.close()
    except Exception as err:  # openpyxl raises many types for a corrupt file
        raise DropFileError(f"{name}: not a readable XLSX file ({type(err).__name__}: {err})") from None
    table = [(n, cells) for n, cells in table if not _blank([v for v, _ in cells])]
    if not table:
        return DropContents(unit_code, "utf-8", 1.0, [])

    texts = [v for _, cells in table for v, _ in cells if isinstance(v, str) and v]
    as_bytes = [_legacy_bytes(t) for t in texts]
    encoding, confidence, problem = "utf-8", 1.0, None
    if all(b is not None for b in as_bytes) and any(any(x > 127 for x in b) for b in as_bytes if b):
        # Every cell fits a legacy font: detect the encoding once on all of them together.
        try:
            detected = decode_bytes(b"\n".join(b for b in as_bytes if b is not None))
            encoding, confidence = detected.encoding, detected.confidence
        except TextCodecError as err:
            problem = f"cannot decode the cells: {err}"
    legacy = encoding not in ("utf-8", "utf-8-nfd")

    def text_of(value: str) -> tuple[str, bool]:
        if not legacy:
            return normalise_nfc(value), False
        data = _legacy_bytes(value) or b""
        try:
            return decode(data, encoding), False
        except TextCodecError:
            return decode(data, encoding, errors="replace"), True

    header_cells = table[0][1]
    headers = [text_of(v)[0] if isinstance(v, str) else "" if v is None else str(_stored(v)) for v, _ in header_cells]
    while headers and not headers[-1].strip():
        headers.pop()  # formatting-only columns right of the header
    columns, header_problem = columns_of(headers)
    problem = problem or header_problem
    rows: list[_Row] = []
    for number, cells in table[1:]:
        raw = json.dumps([_stored(v) for v, _ in cells], ensure_ascii=False).encode()
        where = f"{name} row {number}"
        if problem:
            rows.append(_Row(number, number, raw, reason=f"{where}: {problem}"))
            continue
        extra = [i for i, (v, _) in enumerate(cells) if i >= len(columns) and v not in (None, "")]
        if extra:
            rows.append(
                _Row(
                    number,
                    number,
                    raw,
                    reason=f"{where}: {len(columns)} columns: the cell in column {extra[0] + 1} has no header",
                )
            )
            continue
        cells = (cells + [(None, None)] * len(columns))[: len(columns)]
        try:
            values = []
            for column, (value, number_format) in zip(columns, cells, strict=True):
                if isinstance(value, str):
                    value, lossy = text_of(value)
                    if lossy:
                        raise ValueError(f"column {column.label()}: bytes undefined in {encoding}")
                try:
                    values.append(_xlsx_value(column, value, number_format))
                except ValueError as err:
                    raise ValueError(f"column {column.label()}: {err}") from None
            rows.append(_Row(number, number, raw, record=_record(columns, values)))
        except ValueError as err:
            rows.append(_Row(number, number, raw, reason=f"{where}: {err}"))
    if problem and not rows:
        raise DropFileError(f"{name}: {problem}; the sheet has no data rows")
    return DropContents(unit_code, encoding, confidence, _finish(name, rows), f"{name}: {problem}" if problem else None)


def read_drop(path: Path) -> DropContents:
    """Read one drop file (CSV or XLSX) into decoded rows."""
    _, ext = parse_file_name(path)
    return read_csv(path) if ext == "csv" else read_xlsx(path)


def drop_files(folder: Path) -> Iterator[Path]:
    """Candidate files in the drop folder, oldest name first (names carry the day)."""
    if not folder.is_dir():
        return iter(())
    return iter(sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")))
