"""Vietnamese working-day calendar (lịch ngày làm việc) for public agencies.

Holidays are data: they are read from the dbt seed
``dbt_project/seeds/calendar/vn_public_holidays.csv`` so the Python deadline arithmetic and the
warehouse share one source. A day is a ngày làm việc (working day) when it is a compensatory
working Saturday (ngày làm bù), or a Monday-Friday that is not a holiday (ngày nghỉ lễ, Tết) or a
substitute/swapped day off (ngày nghỉ bù, nghỉ hoán đổi).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from motcua.config import PROJECT_DIR

__all__ = [
    "DATE_DIMENSION_COLUMNS",
    "DAY_OFF_KINDS",
    "DEFAULT_HOLIDAYS_CSV",
    "HOLIDAY_KINDS",
    "DateDimensionRow",
    "Holiday",
    "OutsideCalendarError",
    "WorkingCalendar",
    "date_dimension",
    "default_calendar",
    "is_working_day",
    "load_calendar",
    "next_working_day",
    "working_days_between",
]

# The seed the warehouse loads (dbt_project/seeds/calendar), found from the motcua project's root.
DEFAULT_HOLIDAYS_CSV: Path = PROJECT_DIR / "dbt_project" / "seeds" / "calendar" / "vn_public_holidays.csv"

HOLIDAY_KINDS: frozenset[str] = frozenset({"statutory", "lunar_new_year", "substitute_day_off", "compensatory_workday"})
# Every kind except the compensatory workday takes the day off.
DAY_OFF_KINDS: frozenset[str] = HOLIDAY_KINDS - {"compensatory_workday"}

_CSV_COLUMNS = ("holiday_date", "holiday_name_vi", "holiday_name_en", "kind", "legal_basis")


class OutsideCalendarError(ValueError):
    """A date outside the years the holiday table covers was asked of a strict calendar."""


@dataclass(frozen=True, slots=True)
class Holiday:
    """One row of the holiday table: a ngày nghỉ lễ (holiday), nghỉ bù or ngày làm bù."""

    date: date
    name_vi: str
    name_en: str
    kind: str
    legal_basis: str = ""

    @property
    def is_day_off(self) -> bool:
        """True for days off; False for a compensatory working Saturday (ngày làm bù)."""
        return self.kind in DAY_OFF_KINDS


class DateDimensionRow(NamedTuple):
    """One row of the date dimension (dim_date); a NamedTuple so ``csv.writer`` can write it."""

    date: date
    year: int
    quarter: int
    month: int
    iso_year: int
    iso_week: int
    weekday: int  # ISO: 1 = Monday ... 7 = Sunday
    is_weekend: bool
    is_holiday: bool
    holiday_name_vi: str | None
    is_compensatory_workday: bool
    is_working_day: bool
    working_day_of_month: int | None  # 1-based ordinal among the month's working days


DATE_DIMENSION_COLUMNS: tuple[str, ...] = DateDimensionRow._fields


def _as_date(value: date, name: str = "day") -> date:
    # datetime is a subclass of date but hashes differently and carries a time zone question,
    # so insist on plain dates rather than silently truncating.
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime.date, not a datetime; call .date() in the intended zone")
    if not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


class WorkingCalendar:
    """A working-day calendar (lịch ngày làm việc) built from holiday rows.

    ``strict=True`` makes every query about a date outside the covered years raise
    :class:`OutsideCalendarError`; by default such dates only know weekends, because the holiday
    table has no rows for them.
    """

    def __init__(self, holidays: Iterable[Holiday], *, strict: bool = False) -> None:
        by_date: dict[date, Holiday] = {}
        for holiday in holidays:
            if holiday.kind not in HOLIDAY_KINDS:
                raise ValueError(f"unknown holiday kind {holiday.kind!r} on {holiday.date}")
            if holiday.date in by_date:
                raise ValueError(f"duplicate holiday date {holiday.date}")
            by_date[holiday.date] = holiday
        self._by_date = by_date
        self._days_off = frozenset(d for d, h in by_date.items() if h.is_day_off)
        self._workdays = frozenset(d for d, h in by_date.items() if not h.is_day_off)
        self.strict = strict
        if by_date:
            # Coverage is whole years: a year with rows is assumed complete (see the seed README
            # for the known gaps of the latest year).
            self.first_year: int | None = min(by_date).year
            self.last_year: int | None = max(by_date).year
        else:
            self.first_year = self.last_year = None

    @classmethod
    def from_csv(cls, path: str | Path | None = None, *, strict: bool = False) -> WorkingCalendar:
        """Load the calendar from the holiday seed CSV (default: the repository's seed)."""
        csv_path = Path(path) if path is not None else DEFAULT_HOLIDAYS_CSV
        holidays: list[Holiday] = []
        # utf-8-sig: a CSV saved by a spreadsheet may start with a byte-order mark.
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = set(_CSV_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{csv_path}: missing columns {sorted(missing)}")
            for line_no, row in enumerate(reader, start=2):
                try:
                    holiday_date = date.fromisoformat(row["holiday_date"].strip())
                except ValueError as exc:
                    bad = row["holiday_date"]
                    raise ValueError(f"{csv_path}:{line_no}: bad holiday_date {bad!r}") from exc
                kind = row["kind"].strip()
                if kind not in HOLIDAY_KINDS:
                    raise ValueError(f"{csv_path}:{line_no}: unknown kind {kind!r}")
                holidays.append(
                    Holiday(
                        date=holiday_date,
                        name_vi=row["holiday_name_vi"].strip(),
                        name_en=row["holiday_name_en"].strip(),
                        kind=kind,
                        legal_basis=(row["legal_basis"] or "").strip(),
                    )
                )
        return cls(holidays, strict=strict)

    # -- look-ups ------------------------------------------------------------------------------

    @property
    def holidays(self) -> tuple[Holiday, ...]:
        """All rows, in date order."""
        return tuple(self._by_date[d] for d in sorted(self._by_date))

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in a year the holiday table covers."""
        day = _as_date(day)
        return self.first_year is not None and self.first_year <= day.year <= (self.last_year or 0)

    def _check(self, day: date) -> date:
        day = _as_date(day)
        if self.strict and not self.covers(day):
            raise OutsideCalendarError(
                f"{day} is outside the holiday table ({self.first_year}-{self.last_year}); "
                "extend vn_public_holidays.csv"
            )
        return day

    def holiday(self, day: date) -> Holiday | None:
        """The table row for ``day`` (holiday, nghỉ bù or ngày làm bù), if any."""
        return self._by_date.get(self._check(day))

    def is_holiday(self, day: date) -> bool:
        """True when ``day`` is a ngày nghỉ lễ, Tết (holiday) or a nghỉ bù / hoán đổi day off."""
        return self._check(day) in self._days_off

    def is_compensatory_workday(self, day: date) -> bool:
        """True when ``day`` is a ngày làm bù: a Saturday that is worked to pay back a swapped day."""
        return self._check(day) in self._workdays

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is a ngày làm việc (working day) of public agencies."""
        day = self._check(day)
        if day in self._workdays:
            return True
        return day.weekday() < 5 and day not in self._days_off

    def next_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The first ngày làm việc (working day) after ``day`` (or ``day`` itself if ``inclusive``)."""
        current = self._check(day)
        if inclusive and self.is_working_day(current):
            return current
        while True:
            current += timedelta(days=1)
            if self.is_working_day(current):
                return current

    def previous_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The last ngày làm việc (working day) before ``day`` (or ``day`` itself if ``inclusive``)."""
        current = self._check(day)
        if inclusive and self.is_working_day(current):
            return current
        while True:
            current -= timedelta(days=1)
            if self.is_working_day(current):
                return current

    def working_days_between(self, start: date, end: date) -> int:
        """Number of ngày làm việc in the half-open range ``[start, end)``.

        Half-open like ``numpy.busday_count``: a dossier received on Monday and finished on
        Wednesday took 2 working days. Negative when ``end`` is before ``start``.
        """
        start, end = self._check(start), self._check(end)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def add_working_days(self, day: date, working_days: int) -> date:
        """The date ``working_days`` ngày làm việc after ``day`` (before it when negative).

        ``add_working_days(d, 0)`` is ``d`` itself; counting starts on the next working day,
        so a Friday plus 1 is the next Monday (or later across a holiday).
        """
        current = self._check(day)
        step = 1 if working_days >= 0 else -1
        remaining = abs(working_days)
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def date_dimension(self, start: date, end: date) -> Iterator[DateDimensionRow]:
        """Rows of a date dimension (dim_date) for every day from ``start`` to ``end`` inclusive.

        ``working_day_of_month`` is the 1-based position of a ngày làm việc within its month
        (None on days off), e.g. for "the 5th working day of the month" reporting cut-offs.
        """
        start, end = self._check(start), self._check(end)
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        # Seed the running counter with the working days earlier in start's month, so a range
        # that begins mid-month still numbers working days from the 1st.
        ordinal = self.working_days_between(start.replace(day=1), start)
        day = start
        while day <= end:
            if day.day == 1:
                ordinal = 0
            working = self.is_working_day(day)
            if working:
                ordinal += 1
            row = self._by_date.get(day)
            holiday = row is not None and row.is_day_off
            iso = day.isocalendar()
            yield DateDimensionRow(
                date=day,
                year=day.year,
                quarter=(day.month - 1) // 3 + 1,
                month=day.month,
                iso_year=iso.year,
                iso_week=iso.week,
                weekday=iso.weekday,
                is_weekend=day.weekday() >= 5,
                is_holiday=holiday,
                holiday_name_vi=row.name_vi if holiday and row is not None else None,
                is_compensatory_workday=row is not None and not row.is_day_off,
                is_working_day=working,
                working_day_of_month=ordinal if working else None,
            )
            day += timedelta(days=1)


@lru_cache(maxsize=8)
def _load_cached(path: Path, strict: bool) -> WorkingCalendar:
    return WorkingCalendar.from_csv(path, strict=strict)


def load_calendar(path: str | Path | None = None, *, strict: bool = False) -> WorkingCalendar:
    """Load (and cache per path) the working calendar from the holiday CSV.

    ``path`` defaults to the repository seed ``dbt_project/seeds/calendar/vn_public_holidays.csv``.
    """
    resolved = (Path(path) if path is not None else DEFAULT_HOLIDAYS_CSV).resolve()
    return _load_cached(resolved, strict)


def default_calendar() -> WorkingCalendar:
    """The calendar of the repository's holiday seed (cached)."""
    return load_calendar()


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    """True when ``day`` is a ngày làm việc (working day); see :meth:`WorkingCalendar.is_working_day`."""
    return (calendar or default_calendar()).is_working_day(day)


def next_working_day(day: date, calendar: WorkingCalendar | None = None, *, inclusive: bool = False) -> date:
    """The first ngày làm việc after ``day`` (``day`` itself if ``inclusive`` and it is one)."""
    return (calendar or default_calendar()).next_working_day(day, inclusive=inclusive)


def working_days_between(start: date, end: date, calendar: WorkingCalendar | None = None) -> int:
    """Number of ngày làm việc in ``[start, end)``; see :meth:`WorkingCalendar.working_days_between`."""
    return (calendar or default_calendar()).working_days_between(start, end)


def date_dimension(start: date, end: date, calendar: WorkingCalendar | None = None) -> Iterator[DateDimensionRow]:
    """Date-dimension rows from ``start`` to ``end`` inclusive; see :meth:`WorkingCalendar.date_dimension`."""
    return (calendar or default_calendar()).date_dimension(start, end)
