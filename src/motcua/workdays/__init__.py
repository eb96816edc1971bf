"""Ngày làm việc (working days) and thời hạn giải quyết (processing deadlines) for Vietnam.

- :mod:`motcua.workdays.calendar`: the public-agency working-day calendar, read from the dbt
  seed ``dbt_project/seeds/calendar/vn_public_holidays.csv``, and a date-dimension generator.
- :mod:`motcua.workdays.deadlines`: deadlines counted in working hours (8 h per working day,
  office hours 07:00-11:30 and 13:30-17:00, UTC+7), supplement-request pauses, and the
  before/on/late and within/overdue classifications of the periodic report.

Standard library only.
"""

from motcua.workdays.calendar import (
    DATE_DIMENSION_COLUMNS,
    DEFAULT_HOLIDAYS_CSV,
    DateDimensionRow,
    Holiday,
    OutsideCalendarError,
    WorkingCalendar,
    date_dimension,
    default_calendar,
    is_working_day,
    load_calendar,
    next_working_day,
    working_days_between,
)
from motcua.workdays.deadlines import (
    HOURS_PER_WORKING_DAY,
    OFFICE_HOURS,
    VN_TZ,
    classify_completion,
    classify_open,
    counting_start,
    due_at,
    working_hours_between,
)

__all__ = [
    "DATE_DIMENSION_COLUMNS",
    "DEFAULT_HOLIDAYS_CSV",
    "HOURS_PER_WORKING_DAY",
    "OFFICE_HOURS",
    "VN_TZ",
    "DateDimensionRow",
    "Holiday",
    "OutsideCalendarError",
    "WorkingCalendar",
    "classify_completion",
    "classify_open",
    "counting_start",
    "date_dimension",
    "default_calendar",
    "due_at",
    "is_working_day",
    "load_calendar",
    "next_working_day",
    "working_days_between",
    "working_hours_between",
]
