"""Tests for motcua_simulator.workdays.calendar: working days and the date dimension."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from motcua_simulator.workdays import calendar as wcal
from motcua_simulator.workdays.calendar import (
    DATE_DIMENSION_COLUMNS,
    DEFAULT_HOLIDAYS_CSV,
    Holiday,
    OutsideCalendarError,
    WorkingCalendar,
    date_dimension,
    is_working_day,
    load_calendar,
    next_working_day,
    working_days_between,
)


def test_default_csv_path_resolves_from_package() -> None:
    assert DEFAULT_HOLIDAYS_CSV.is_file()
    assert DEFAULT_HOLIDAYS_CSV.parts[-4:] == ("dbt_project", "seeds", "calendar", "vn_public_holidays.csv")
    assert load_calendar() is load_calendar()  # cached


def test_weekdays_weekends_and_holidays() -> None:
    assert is_working_day(date(2025, 3, 7))  # Friday
    assert not is_working_day(date(2025, 3, 8))  # Saturday
    assert not is_working_day(date(2025, 3, 9))  # Sunday
    assert not is_working_day(date(2025, 1, 29))  # mùng 1 Tết Ất Tỵ
    assert not is_working_day(date(2025, 1, 27))  # 28 Chạp, first statutory Tết day of 2025
    assert not is_working_day(date(2025, 4, 7))  # Giỗ Tổ Hùng Vương
    assert not is_working_day(date(2024, 4, 29))  # swapped day off (nghỉ hoán đổi)


def test_compensatory_saturday_is_a_working_day() -> None:
    cal = load_calendar()
    saturday = date(2025, 4, 26)  # làm bù for Friday 2/5/2025
    assert saturday.weekday() == 5
    assert cal.is_working_day(saturday)
    assert cal.is_compensatory_workday(saturday)
    assert not cal.is_holiday(saturday)
    assert cal.holiday(saturday) is not None and cal.holiday(saturday).kind == "compensatory_workday"  # type: ignore[union-attr]


def test_substitute_day_for_weekend_holiday() -> None:
    cal = load_calendar()
    assert cal.is_holiday(date(2026, 4, 26))  # Hùng Vương on a Sunday: still listed as the holiday
    assert not cal.is_working_day(date(2026, 4, 27))  # nghỉ bù on Monday
    assert cal.is_working_day(date(2026, 4, 28))


def test_next_working_day() -> None:
    # Friday before the 2025 Tết break -> Monday after it.
    assert next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)
    # The next working day after Friday 25/4/2025 is the compensatory Saturday.
    assert next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)
    # inclusive returns the day itself when it is a working day.
    assert next_working_day(date(2025, 3, 7), inclusive=True) == date(2025, 3, 7)
    assert next_working_day(date(2025, 3, 8), inclusive=True) == date(2025, 3, 10)
    assert load_calendar().previous_working_day(date(2025, 2, 3)) == date(2025, 1, 24)


def test_working_days_between_is_half_open() -> None:
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 5)) == 2  # Mon, Tue
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0
    # [24/1, 3/2): only Friday 24/1 works; weekend, 5 Tết days, weekend.
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert working_days_between(date(2025, 2, 3), date(2025, 1, 24)) == -1
    # April 2025: 22 weekdays - Hùng Vương (7/4) - 30/4 + compensatory Saturday 26/4 = 21.
    assert working_days_between(date(2025, 4, 1), date(2025, 5, 1)) == 21


def test_add_working_days() -> None:
    cal = load_calendar()
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert cal.add_working_days(date(2025, 1, 24), 0) == date(2025, 1, 24)
    assert cal.add_working_days(date(2025, 2, 3), -1) == date(2025, 1, 24)


def test_datetime_is_rejected_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 3, 7, 9, 0))  # type: ignore[arg-type]


def test_date_dimension_february_2025() -> None:
    rows = list(date_dimension(date(2025, 2, 1), date(2025, 2, 28)))
    assert len(rows) == 28
    # Feb 2025 starts on a Saturday: 20 weekdays and no holiday (Tết ended on 31/1).
    assert sum(r.is_working_day for r in rows) == 20
    assert sum(r.is_weekend for r in rows) == 8
    first_monday = rows[2]
    assert first_monday.date == date(2025, 2, 3) and first_monday.weekday == 1
    assert first_monday.working_day_of_month == 1
    assert rows[-1].working_day_of_month == 20
    assert rows[0].working_day_of_month is None


def test_date_dimension_january_2025_with_tet() -> None:
    rows = {r.date: r for r in date_dimension(date(2025, 1, 1), date(2025, 1, 31))}
    assert len(rows) == 31
    # 23 weekdays - 1/1 - five Tết days (27-31/1) = 17.
    assert sum(r.is_working_day for r in rows.values()) == 17
    tet = rows[date(2025, 1, 29)]
    assert tet.is_holiday and not tet.is_working_day and tet.working_day_of_month is None
    assert tet.holiday_name_vi == "Tết Nguyên đán (mùng 1 tháng Giêng)"
    assert rows[date(2025, 1, 24)].working_day_of_month == 17
    assert (tet.year, tet.quarter, tet.month, tet.iso_year, tet.iso_week) == (2025, 1, 1, 2025, 5)


def test_date_dimension_compensatory_saturday_and_mid_month_start() -> None:
    # Starting mid-month still numbers working days from the 1st: April 2025 has 1-4 (4),
    # 8-11 (8, 7/4 is Hùng Vương), 14-18 (13), 21-25 (18), then Saturday 26/4 = 19th.
    (row,) = date_dimension(date(2025, 4, 26), date(2025, 4, 26))
    assert row.is_weekend and row.is_working_day and row.is_compensatory_workday
    assert not row.is_holiday and row.holiday_name_vi is None
    assert row.working_day_of_month == 19


def test_date_dimension_iso_week_at_year_boundary_and_full_range() -> None:
    (row,) = date_dimension(date(2024, 12, 30), date(2024, 12, 30))
    assert (row.year, row.iso_year, row.iso_week) == (2024, 2025, 1)
    rows = list(date_dimension(date(2016, 1, 1), date(2027, 12, 31)))
    assert len(rows) == 12 * 365 + 3  # 2016, 2020 and 2024 are leap years
    assert DATE_DIMENSION_COLUMNS[0] == "date" and len(DATE_DIMENSION_COLUMNS) == len(rows[0])
    with pytest.raises(ValueError):
        list(date_dimension(date(2025, 2, 1), date(2025, 1, 1)))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["holiday_date", "holiday_name_vi", "holiday_name_en", "kind", "legal_basis"])
        writer.writerows(rows)
    return path


def test_explicit_csv_path(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "h.csv",
        [
            ["2030-01-01", "Tết Dương lịch", "New Year's Day", "statutory", "test"],
            ["2030-01-05", "Làm bù", "Compensatory working Saturday", "compensatory_workday", "test"],
        ],
    )
    cal = load_calendar(path)
    assert not cal.is_working_day(date(2030, 1, 1))
    assert cal.is_working_day(date(2030, 1, 5))
    assert is_working_day(date(2030, 1, 1), cal) is False
    assert (cal.first_year, cal.last_year) == (2030, 2030)


@pytest.mark.parametrize(
    "bad_row",
    [
        ["2030-01-01", "x", "x", "bank_holiday", "test"],  # unknown kind
        ["2030-13-01", "x", "x", "statutory", "test"],  # bad date
    ],
)
def test_bad_csv_rows_are_rejected(tmp_path: Path, bad_row: list[str]) -> None:
    with pytest.raises(ValueError):
        WorkingCalendar.from_csv(_write_csv(tmp_path / "bad.csv", [bad_row]))


def test_duplicate_dates_are_rejected() -> None:
    row = Holiday(date(2030, 1, 1), "x", "x", "statutory")
    with pytest.raises(ValueError):
        WorkingCalendar([row, row])


def test_strict_calendar_refuses_uncovered_years() -> None:
    strict = WorkingCalendar.from_csv(strict=True)
    assert strict.is_working_day(date(2027, 6, 1))
    with pytest.raises(OutsideCalendarError):
        strict.is_working_day(date(2030, 6, 3))
    # The lenient default only knows weekends outside the table.
    assert wcal.default_calendar().is_working_day(date(2030, 6, 3))
    assert not wcal.default_calendar().covers(date(2030, 6, 3))
