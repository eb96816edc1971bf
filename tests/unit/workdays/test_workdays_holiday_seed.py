"""Integrity of the holiday seed dbt_project/seeds/calendar/vn_public_holidays.csv.

The expected values below are the announced schedules for cán bộ, công chức, viên chức, written
out independently of the CSV so an accidental edit of the seed is caught.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from motcua_simulator.workdays.calendar import DEFAULT_HOLIDAYS_CSV, HOLIDAY_KINDS, WorkingCalendar

YEARS = range(2016, 2028)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DEFAULT_HOLIDAYS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.from_csv(DEFAULT_HOLIDAYS_CSV)


def _kind_on(rows: list[dict[str, str]], day: date) -> str | None:
    return next((r["kind"] for r in rows if r["holiday_date"] == day.isoformat()), None)


def test_seed_columns_and_kinds(rows: list[dict[str, str]]) -> None:
    assert list(rows[0]) == ["holiday_date", "holiday_name_vi", "holiday_name_en", "kind", "legal_basis"]
    assert {r["kind"] for r in rows} == HOLIDAY_KINDS
    for r in rows:
        assert r["holiday_name_vi"] and r["holiday_name_en"] and r["legal_basis"], r


def test_seed_dates_unique_and_sorted(rows: list[dict[str, str]]) -> None:
    dates = [date.fromisoformat(r["holiday_date"]) for r in rows]
    assert dates == sorted(dates)
    assert len(dates) == len(set(dates))
    # 2018-12-31 is the swapped day of the 2019 New Year break; everything else is 2016-2027.
    assert min(dates) == date(2016, 1, 1) and max(dates).year == 2027


@pytest.mark.parametrize("year", YEARS)
def test_fixed_date_holidays_every_year(rows: list[dict[str, str]], year: int) -> None:
    for month, day in [(1, 1), (4, 30), (5, 1), (9, 2)]:
        assert _kind_on(rows, date(year, month, day)) == "statutory", (year, month, day)


# Giỗ Tổ Hùng Vương, 10th day of the 3rd lunar month (checked against the Vietnamese lunar calendar).
HUNG_KINGS = {
    2016: date(2016, 4, 16), 2017: date(2017, 4, 6), 2018: date(2018, 4, 25), 2019: date(2019, 4, 14),
    2020: date(2020, 4, 2), 2021: date(2021, 4, 21), 2022: date(2022, 4, 10), 2023: date(2023, 4, 29),
    2024: date(2024, 4, 18), 2025: date(2025, 4, 7), 2026: date(2026, 4, 26), 2027: date(2027, 4, 16),
}  # fmt: skip


@pytest.mark.parametrize("year", YEARS)
def test_hung_kings_day(rows: list[dict[str, str]], year: int) -> None:
    hung = [r for r in rows if r["holiday_date"].startswith(str(year)) and "Hùng Vương" in r["holiday_name_vi"]]
    statutory = [r["holiday_date"] for r in hung if r["kind"] == "statutory"]
    assert statutory == [HUNG_KINGS[year].isoformat()]


# Announced Tết breaks (first and last consecutive day off, weekends included).
TET_BREAKS = {
    2016: (date(2016, 2, 6), date(2016, 2, 14)),
    2017: (date(2017, 1, 26), date(2017, 2, 1)),
    2018: (date(2018, 2, 14), date(2018, 2, 20)),
    2019: (date(2019, 2, 2), date(2019, 2, 10)),
    2020: (date(2020, 1, 23), date(2020, 1, 29)),
    2021: (date(2021, 2, 10), date(2021, 2, 16)),
    2022: (date(2022, 1, 29), date(2022, 2, 6)),
    2023: (date(2023, 1, 20), date(2023, 1, 26)),
    2024: (date(2024, 2, 8), date(2024, 2, 14)),
    2025: (date(2025, 1, 25), date(2025, 2, 2)),
    2026: (date(2026, 2, 14), date(2026, 2, 22)),
}


@pytest.mark.parametrize("year", sorted(TET_BREAKS))
def test_tet_break_matches_announcement(cal: WorkingCalendar, rows: list[dict[str, str]], year: int) -> None:
    first, last = TET_BREAKS[year]
    assert cal.is_working_day(first - timedelta(days=1))
    assert cal.is_working_day(last + timedelta(days=1))
    day = first
    while day <= last:
        assert not cal.is_working_day(day), day
        day += timedelta(days=1)
    lunar = [r for r in rows if r["kind"] == "lunar_new_year" and r["holiday_date"].startswith(str(year))]
    assert len(lunar) == 5  # Labour Code: Tết Âm lịch 05 ngày


def test_2027_tet_is_partial_but_certain_days_are_off(cal: WorkingCalendar) -> None:
    # Not announced yet: 29 Chạp (5/2) and mùng 1-3 (6-8/2) are off under every option.
    for day in (date(2027, 2, 5), date(2027, 2, 8)):
        assert not cal.is_working_day(day)


def test_compensatory_workdays_are_the_announced_saturdays(rows: list[dict[str, str]]) -> None:
    worked = sorted(r["holiday_date"] for r in rows if r["kind"] == "compensatory_workday")
    assert worked == [
        "2019-01-05",  # for Mon 31/12/2018 (New Year 2019)
        "2019-05-04",  # for Mon 29/4/2019
        "2024-05-04",  # for Mon 29/4/2024
        "2025-04-26",  # for Fri 2/5/2025
        "2026-01-10",  # for Fri 2/1/2026
        "2026-08-22",  # for Mon 31/8/2026
    ]
    for iso in worked:
        assert date.fromisoformat(iso).weekday() == 5


def test_substitute_days_are_weekdays(rows: list[dict[str, str]]) -> None:
    for r in rows:
        if r["kind"] == "substitute_day_off":
            assert date.fromisoformat(r["holiday_date"]).weekday() < 5, r


@pytest.mark.parametrize("year", range(2021, 2027))
def test_national_day_has_two_days_from_2021(rows: list[dict[str, str]], year: int) -> None:
    # Labour Code 2019 Art. 112: 2/9 plus one adjacent day (1/9 or 3/9).
    national = [
        r["holiday_date"]
        for r in rows
        if r["kind"] == "statutory"
        and r["holiday_name_vi"].startswith("Quốc khánh")
        and r["holiday_date"][:4] == str(year)
    ]
    assert len(national) == 2
    assert {d[5:] for d in national} - {"09-02"} <= {"09-01", "09-03"}


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2018, 12, 29), date(2019, 1, 1)),  # New Year 2019 with the 31/12 swap
        (date(2019, 4, 27), date(2019, 5, 1)),
        (date(2023, 4, 29), date(2023, 5, 3)),  # Hùng Vương on Saturday + 30/4 on Sunday
        (date(2024, 4, 27), date(2024, 5, 1)),
        (date(2025, 4, 30), date(2025, 5, 4)),
        (date(2025, 8, 30), date(2025, 9, 2)),
        (date(2026, 1, 1), date(2026, 1, 4)),
        (date(2026, 4, 25), date(2026, 4, 27)),
        (date(2026, 8, 29), date(2026, 9, 2)),
    ],
)
def test_other_announced_breaks(cal: WorkingCalendar, first: date, last: date) -> None:
    assert cal.is_working_day(first - timedelta(days=1))
    day = first
    while day <= last:
        assert not cal.is_working_day(day), day
        day += timedelta(days=1)
    assert cal.is_working_day(last + timedelta(days=1))


def test_24_november_not_yet_a_holiday(cal: WorkingCalendar) -> None:
    # Ngày Văn hóa Việt Nam needs a Labour Code amendment first (see the seed README).
    assert cal.is_working_day(date(2026, 11, 24))
