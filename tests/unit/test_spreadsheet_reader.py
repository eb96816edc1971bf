"""The spreadsheet drop reader (motcua.feeds.spreadsheets), file by file, without a warehouse.

One test (or more) per defect of the first version: XLSX date cells (1), numeric codes (2),
line breaks in quoted CSV cells (3), stray quotes (4), whole-file rejects counted as one row (5),
unknown columns (6); plus BOM, mixed line endings and empty lines.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from motcua.feeds.spreadsheets import DropFileError, read_drop
from motcua_simulator.spreadsheets import HEADERS, encode_text

NAME = "430_20250610"


def cells(number: int, **changes) -> dict:
    """A valid row (header -> value) for dossier ``number``."""
    row = {
        "Mã hồ sơ": f"000.00.30.H41-250610-{number:04d}",
        "Phiên bản": "2",
        "Ngày cập nhật": "10/06/2025 09:15:00",
        "Mã đơn vị": "430",
        "Cấp đơn vị": "Huyện",
        "Mã thủ tục": "2.002480",
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
    row.update(changes)
    return row


def line(values: list) -> str:
    """One CSV record without its line break (quoted as csv.writer does, line breaks included)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().removesuffix("\r\n")


def row_line(number: int, headers=HEADERS, **changes) -> str:
    row = cells(number, **changes)
    return line([row.get(h, "") for h in headers])


def write(tmp_path: Path, data: bytes, ext: str = "csv") -> Path:
    path = tmp_path / f"{NAME}.{ext}"
    path.write_bytes(data)
    return path


def loaded_codes(contents) -> list[str]:
    return [r.record["dossier_code"] for r in contents.rows if r.record is not None]


def reasons(contents) -> list[str]:
    return [r.reason for r in contents.rows if r.reason is not None]


# --- 1. XLSX date cells ---------------------------------------------------------------------


def xlsx(tmp_path: Path, rows: list[dict], formats: dict[tuple[int, str], str] | None = None, headers=HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    for (row_number, header), number_format in (formats or {}).items():
        sheet.cell(row_number, list(headers).index(header) + 1).number_format = number_format
    path = tmp_path / f"{NAME}.xlsx"
    book.save(path)
    return path


def test_xlsx_date_cells_are_vietnam_local_timestamps(tmp_path):
    dated = cells(
        1,
        **{
            "Ngày cập nhật": datetime(2025, 6, 10, 9, 15),
            "Ngày tiếp nhận": datetime(2025, 6, 10, 8, 30, 5),
            "Ngày hẹn trả": datetime(2025, 6, 11, 8, 30),
            "Ngày có kết quả": None,
        },
    )
    text = cells(2)  # the text form keeps working
    contents = read_drop(xlsx(tmp_path, [dated, text]))
    assert reasons(contents) == []
    first, second = (r.record for r in contents.rows)
    assert first["updated_at"] == "2025-06-10T09:15:00+07:00"
    assert first["received_at"] == "2025-06-10T08:30:05+07:00"
    assert first["appointment_due_at"] == "2025-06-11T08:30:00+07:00"
    assert first["completed_at"] is None
    assert second["updated_at"] == "2025-06-10T09:15:00+07:00"


def test_xlsx_a_number_where_a_date_time_belongs_is_refused(tmp_path):
    contents = read_drop(xlsx(tmp_path, [cells(1, **{"Ngày tiếp nhận": 45818.35})]))
    (reason,) = reasons(contents)
    assert "row 2: column 'Ngày tiếp nhận'" in reason


# --- 2. Numeric codes in XLSX ---------------------------------------------------------------


def test_xlsx_numeric_codes_are_read_as_excel_shows_them(tmp_path):
    row = cells(1, **{"Mã thủ tục": 2.00248, "Mã đơn vị": 30, "Phiên bản": 3, "Số lần yêu cầu bổ sung": 1})
    formats = {(2, "Mã thủ tục"): "0.000000", (2, "Mã đơn vị"): "000"}
    (result,) = read_drop(xlsx(tmp_path, [row], formats)).rows
    assert result.reason is None
    assert result.record["procedure_code"] == "2.002480"
    assert result.record["unit_code"] == "030"
    assert (result.record["version"], result.record["supplement_request_count"]) == (3, 1)  # integers: fine


@pytest.mark.parametrize(
    ("header", "value", "number_format"),
    [("Mã thủ tục", 2.00248, "General"), ("Mã đơn vị", 430, "General"), ("Số định danh", 40190001234, "@")],
)
def test_xlsx_a_code_stored_as_a_number_without_its_digits_is_quarantined(tmp_path, header, value, number_format):
    row = cells(1, **{header: value})
    (result,) = read_drop(xlsx(tmp_path, [row], {(2, header): number_format})).rows
    assert result.record is None
    assert f"row 2: column {header!r}" in result.reason
    assert "stored as a number" in result.reason and "digits may be lost: format the column as text" in result.reason


def test_number_as_shown():
    from motcua.feeds.spreadsheets import number_as_shown

    assert number_as_shown(2.00248, "0.000000") == "2.002480"
    assert number_as_shown(1.0028, "0.000000") == "1.002800"
    assert number_as_shown(7, "00000") == "00007"
    assert number_as_shown(2.5, "0") == "3"  # Excel rounds half away from zero
    assert number_as_shown(2.00248, "General") is None
    assert number_as_shown(1234, "#,##0") is None
    assert number_as_shown(1234, "@") is None


def test_integers_are_never_truncated(tmp_path):
    data = "\r\n".join([line(HEADERS), row_line(1, **{"Phiên bản": "2.5"}), row_line(2, **{"Phiên bản": "3.0"})])
    contents = read_drop(write(tmp_path, data.encode()))
    assert loaded_codes(contents) == ["000.00.30.H41-250610-0002"]
    assert contents.rows[1].record["version"] == 3
    assert "row 2: column 'Phiên bản': not an integer" in contents.rows[0].reason


# --- 3. Quoted cells with line breaks: original bytes and physical line numbers -------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "tcvn3"])
def test_multiline_cells_keep_their_bytes_and_line_numbers(tmp_path, encoding):
    records = [
        line(HEADERS),  # line 1
        row_line(1, **{"Địa chỉ": "Xóm 3\nxã Nghi Phong"}),  # lines 2-3 (LF inside, as Excel writes)
        row_line(2, **{"Trạng thái": "Đang chờ"}),  # line 4: bad label
        row_line(3, **{"Địa chỉ": "Xóm 4\r\nxã Nghi Phong", "Ngày cập nhật": "10/06/2025 9h15"}),  # lines 5-6: bad
        row_line(4),  # line 7
    ]
    data = encode_text("\r\n".join(records) + "\r\n", encoding)
    physical = data.split(b"\r\n")  # every line here ends in CRLF, except the LF inside row 1
    contents = read_drop(write(tmp_path, data))
    assert loaded_codes(contents) == ["000.00.30.H41-250610-0001", "000.00.30.H41-250610-0004"]
    assert contents.rows[0].record["applicant"]["address"] == "Xóm 3\nxã Nghi Phong"
    assert contents.rows[0].raw == physical[1]  # both lines of the record, with the LF between them
    bad_label, bad_date = contents.rows[1], contents.rows[2]
    assert f"{NAME}.csv row 4: column 'Trạng thái'" in bad_label.reason
    assert bad_label.raw == physical[2]
    assert f"{NAME}.csv rows 5-6: column 'Ngày cập nhật'" in bad_date.reason
    assert bad_date.raw == physical[3] + b"\r\n" + physical[4]
    assert contents.rows[3].raw == physical[5]


# --- 4. Stray quotes ------------------------------------------------------------------------


def test_a_stray_quote_does_not_swallow_the_next_rows(tmp_path):
    stray = row_line(2).replace("Nguyễn Thị Hương", '"Nguyễn Thị Hương')
    records = [
        line(HEADERS),
        row_line(1),
        stray,  # line 3: the quote never closes on its line
        row_line(3),
        row_line(4, **{"Địa chỉ": "Xóm 5, xã Nghi Phong"}),  # a quoted cell: where the stray quote would close
        row_line(5),
    ]
    data = ("\r\n".join(records) + "\r\n").encode()
    contents = read_drop(write(tmp_path, data))
    assert loaded_codes(contents) == [f"000.00.30.H41-250610-000{n}" for n in (1, 3, 4, 5)]
    (bad,) = [r for r in contents.rows if r.reason]
    assert f"{NAME}.csv row 3: column 'Chủ hồ sơ': a quote" in bad.reason
    assert bad.raw == stray.encode()


def test_a_stray_quote_in_the_last_column_does_not_swallow_the_next_rows(tmp_path):
    stray = row_line(2).replace("Xóm 2 xã", '"Xóm 2 xã')  # the merged record would keep the cell count
    data = "\n".join([line(HEADERS), row_line(1), stray, row_line(3), row_line(4)]).encode()
    contents = read_drop(write(tmp_path, data))
    assert loaded_codes(contents) == [f"000.00.30.H41-250610-000{n}" for n in (1, 3, 4)]
    (bad,) = [r for r in contents.rows if r.reason]
    assert f"{NAME}.csv row 3: column 'Địa chỉ'" in bad.reason
    assert bad.raw == stray.encode()


def test_a_stray_quote_in_the_last_row(tmp_path):
    stray = row_line(2).replace("Xóm 2 xã", '"Xóm 2 xã')
    data = "\r\n".join([line(HEADERS), row_line(1), stray]).encode()
    contents = read_drop(write(tmp_path, data))
    assert loaded_codes(contents) == ["000.00.30.H41-250610-0001"]
    assert f"{NAME}.csv row 3: column 'Địa chỉ'" in contents.rows[1].reason


# --- 5. Whole-file problems: count what arrived ---------------------------------------------


def test_a_wrong_header_quarantines_every_row_on_its_own(tmp_path):
    headers = ["Ma ho so" if h == "Mã hồ sơ" else h for h in HEADERS]
    records = [line(headers), *(row_line(n, headers, **{"Ma ho so": f"X-{n}"}) for n in (1, 2, 3))]
    data = "\r\n".join(records).encode()
    contents = read_drop(write(tmp_path, data))
    assert [r.record for r in contents.rows] == [None, None, None]
    assert [r.raw for r in contents.rows] == [r.encode() for r in records[1:]]
    for number, reason in enumerate(reasons(contents), start=2):
        assert f"{NAME}.csv row {number}: required column(s) 'Mã hồ sơ' missing" in reason
        assert "'Ma ho so'" in reason
    assert "'Mã hồ sơ'" in contents.problem


def test_a_header_naming_a_column_twice_quarantines_every_row(tmp_path):
    headers = [*HEADERS, "Trạng thái"]
    data = "\r\n".join([line(headers), line([*cells(1).values(), "Đang xử lý"])]).encode()
    (row,) = read_drop(write(tmp_path, data)).rows
    assert "column 'Trạng thái' appears twice" in row.reason


def test_a_wrong_header_in_xlsx_quarantines_every_row(tmp_path):
    headers = [h for h in HEADERS if h != "Phiên bản"]
    contents = read_drop(xlsx(tmp_path, [cells(1), cells(2)], headers=headers))
    assert [r.record for r in contents.rows] == [None, None]
    assert all("'Phiên bản'" in r for r in reasons(contents))


def test_only_a_file_that_cannot_be_split_is_one_error(tmp_path):
    with pytest.raises(DropFileError, match="cannot decode"):
        read_drop(write(tmp_path, bytes(range(256)) * 3))
    good = tmp_path / "good.xlsx"
    xlsx(tmp_path, [cells(1)]).rename(good)
    with pytest.raises(DropFileError, match="not a readable XLSX"):
        read_drop(write(tmp_path, good.read_bytes()[:1500], "xlsx"))


# --- 6. Unknown columns ---------------------------------------------------------------------


def test_an_unknown_column_is_kept_in_the_record(tmp_path):
    headers = [*HEADERS, "Ghi chú", "Version"]
    data = "\r\n".join([line(headers), line([*cells(1).values(), "Hồ sơ ưu tiên", "v2"])]).encode()
    (row,) = read_drop(write(tmp_path, data)).rows
    assert row.reason is None
    assert row.record["ghi_chú"] == "Hồ sơ ưu tiên"
    assert row.record["version_28"] == "v2" and row.record["version"] == 2  # a known name is not taken over


def test_an_unknown_column_in_xlsx_is_kept(tmp_path):
    headers = [*HEADERS, "Ghi chú"]
    (row,) = read_drop(xlsx(tmp_path, [{**cells(1), "Ghi chú": 12}], headers=headers)).rows
    assert row.reason is None and row.record["ghi_chú"] == 12


# --- BOM, line endings, empty lines ---------------------------------------------------------


def test_bom_mixed_line_endings_and_empty_lines(tmp_path):
    parts = [
        b"\xef\xbb\xbf" + line(HEADERS).encode() + b"\r\n",  # 1
        row_line(1).encode() + b"\n",  # 2
        b"\r\n",  # 3: empty
        b"\n",  # 4: empty
        row_line(2).encode() + b"\r",  # 5
        row_line(3, **{"Kênh nộp": "Fax"}).encode() + b"\r\n",  # 6: bad
        b",,,\n",  # 7: separators only
        row_line(4).encode(),  # 8, no final line break
    ]
    contents = read_drop(write(tmp_path, b"".join(parts)))
    assert loaded_codes(contents) == [f"000.00.30.H41-250610-000{n}" for n in (1, 2, 4)]
    (bad,) = [r for r in contents.rows if r.reason]
    assert f"{NAME}.csv row 6: column 'Kênh nộp'" in bad.reason
    assert bad.raw == row_line(3, **{"Kênh nộp": "Fax"}).encode()
    assert contents.rows[0].record["dossier_code"] == "000.00.30.H41-250610-0001"  # BOM not in the first header


def test_legacy_bytes_the_encoding_leaves_undefined_are_not_stored(tmp_path):
    good = encode_text(row_line(1), "cp1258")
    bad = encode_text(row_line(2), "cp1258").replace(b"Nghi Phong", b"Nghi \x81Phong")
    data = b"\r\n".join([encode_text(line(HEADERS), "cp1258"), good, bad, encode_text(row_line(3), "cp1258")])
    contents = read_drop(write(tmp_path, data))
    assert contents.encoding == "cp1258"
    assert loaded_codes(contents) == ["000.00.30.H41-250610-0001", "000.00.30.H41-250610-0003"]
    assert f"{NAME}.csv row 3: column 'Địa chỉ': bytes undefined in cp1258" in contents.rows[1].reason
    assert contents.rows[1].raw == bad


def test_same_dossier_version_with_other_content_in_one_file(tmp_path):
    data = "\r\n".join([line(HEADERS), row_line(1), row_line(1), row_line(1, **{"Trạng thái": "Đang xử lý"})])
    contents = read_drop(write(tmp_path, data.encode()))
    assert [r.reason is None for r in contents.rows] == [True, True, False]  # identical: the loader counts it
    assert "row 4: dossier '000.00.30.H41-250610-0001' version 2 already appears in row 2" in contents.rows[2].reason
    assert "fields: status" in contents.rows[2].reason


def test_a_cell_too_large_for_the_csv_module_costs_only_its_row(tmp_path):
    huge = row_line(2, **{"Địa chỉ": "x" * 200_000})  # over csv.field_size_limit() (131,072 characters)
    data = "\r\n".join([line(HEADERS), row_line(1), huge, row_line(3)]).encode()
    contents = read_drop(write(tmp_path, data))
    assert loaded_codes(contents) == ["000.00.30.H41-250610-0001", "000.00.30.H41-250610-0003"]
    assert f"{NAME}.csv row 3: column 'Địa chỉ': the CSV reader cannot read this line" in contents.rows[1].reason
    assert contents.rows[1].raw == huge.encode()
