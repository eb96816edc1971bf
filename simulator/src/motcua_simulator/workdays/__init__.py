"""Ngày làm việc (working days) and thời hạn giải quyết (processing deadlines) for Vietnam.

The Python counterpart of the warehouse's working time: production computes deadlines in SQL
(``dbt_project/macros/working_time.sql``, ``int_dossiers_deadlines``); the simulator uses this
package to give its dossiers realistic deadlines, and
``tests/integration/test_working_time_agreement.py`` proves the two agree.

- :mod:`motcua_simulator.workdays.calendar`: the public-agency working-day calendar, read from the
  dbt seed ``dbt_project/seeds/calendar/vn_public_holidays.csv``, and a date-dimension generator.
- :mod:`motcua_simulator.workdays.deadlines`: deadlines counted in working hours (8 h per working
  day, office hours 07:00-11:30 and 13:30-17:00, UTC+7), supplement-request pauses, and the
  before/on/late and within/overdue classifications of the periodic report.

Standard library and :mod:`motcua.domain` (the working day's length, the time zone) only.
"""

from motcua_simulator.workdays.calendar import (
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
from motcua_simulator.workdays.deadlines import (
    HOURS_PER_WORKING_DAY,
    OFFICE_HOURS,
    VN_TZ,
    ClockStoppedError,
    DossierDeadline,
    classify_completion,
    classify_open,
    counting_start,
    dossier_deadline,
    due_at,
    working_hours_between,
)

__all__ = [
    "DATE_DIMENSION_COLUMNS",
    "DEFAULT_HOLIDAYS_CSV",
    "HOURS_PER_WORKING_DAY",
    "OFFICE_HOURS",
    "VN_TZ",
    "ClockStoppedError",
    "DateDimensionRow",
    "DossierDeadline",
    "Holiday",
    "OutsideCalendarError",
    "WorkingCalendar",
    "classify_completion",
    "classify_open",
    "counting_start",
    "date_dimension",
    "default_calendar",
    "dossier_deadline",
    "due_at",
    "is_working_day",
    "load_calendar",
    "next_working_day",
    "working_days_between",
    "working_hours_between",
]
