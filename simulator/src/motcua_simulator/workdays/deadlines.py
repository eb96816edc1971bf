"""Working-hours deadline arithmetic for dossiers (hồ sơ).

The statutory processing time (thời hạn giải quyết) of a procedure is given in ngày làm việc
(working days), each worth 8 working hours. Working time only runs during office hours on
working days: 07:00-11:30 and 13:30-17:00, Vietnam local time (4.5 h + 3.5 h = 8 h). A dossier
received outside office hours starts counting at the next opening (07:00 the next working
morning, or 13:30 after lunch). A supplement request (yêu cầu bổ sung hồ sơ) stops the clock
from the request until the supplement is received; those pauses push the deadline back by the
working time they covered. A request still waiting for the applicant (no end) stops it for good:
if that happens before the deadline is reached, there is no deadline yet.

This is the Python counterpart of the warehouse's SQL (``dbt_project/macros/working_time.sql``,
``int_dossiers_deadlines``, which production uses); :func:`dossier_deadline` gives what that
model gives for one dossier, and tests/integration/test_working_time_agreement.py proves the
two agree.

All datetimes must be timezone-aware; results are returned in Vietnam time (UTC+7).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from motcua.domain import TIME_ZONE_NAME, WORKING_DAY_HOURS
from motcua_simulator.workdays.calendar import WorkingCalendar, default_calendar

__all__ = [
    "HOURS_PER_WORKING_DAY",
    "MAX_WORKING_DAYS",
    "OFFICE_HOURS",
    "VN_TZ",
    "ClockStoppedError",
    "CompletionClass",
    "DossierDeadline",
    "OpenClass",
    "Pause",
    "classify_completion",
    "classify_open",
    "counting_start",
    "dossier_deadline",
    "due_at",
    "working_hours_between",
]

# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact for any
# date the warehouse sees, and avoids depending on the tzdata package being installed.
VN_TZ = timezone(timedelta(hours=7), TIME_ZONE_NAME)

# Giờ hành chính (office hours): morning and afternoon windows, local time.
OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
HOURS_PER_WORKING_DAY = WORKING_DAY_HOURS  # 8 (dbt var working_day_seconds)

# No procedure takes anywhere near this long; a larger value is a data error (and would make the
# day-by-day walk run for ages), so it is refused rather than computed.
MAX_WORKING_DAYS = Decimal(10_000)

_US_PER_HOUR = 3_600_000_000
_US_PER_WORKING_DAY = int(HOURS_PER_WORKING_DAY) * _US_PER_HOUR
# The end of a pause still waiting for the applicant (local, naive).
_OPEN = datetime.max

#: (supplement requested, supplement received); received is None while the request is open.
Pause = tuple[datetime, datetime | None]


class ClockStoppedError(ValueError):
    """An open supplement request stopped the clock before the deadline: there is no deadline yet."""


CompletionClass = Literal["before_time", "on_time", "late"]
OpenClass = Literal["within_time", "overdue"]


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    # A naive datetime from the source systems could be local or UTC; a 7-hour guess would
    # silently shift deadlines, so refuse it.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def _local(value: datetime, name: str) -> datetime:
    """Aware datetime -> naive wall-clock time in Vietnam (safe: fixed offset, no DST)."""
    return _require_aware(value, name).astimezone(VN_TZ).replace(tzinfo=None)


def _aware(local_naive: datetime) -> datetime:
    return local_naive.replace(tzinfo=VN_TZ)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _working_days_to_us(working_days: Decimal | float | int) -> int:
    if isinstance(working_days, bool) or not isinstance(working_days, Decimal | float | int):
        raise TypeError(f"working_days must be a Decimal, float or int, got {type(working_days).__name__}")
    if isinstance(working_days, float):
        if not math.isfinite(working_days):
            raise ValueError(f"working_days must be finite, got {working_days}")
        # Through str so 0.1 means one tenth, not the nearest binary fraction.
        amount = Decimal(str(working_days))
    else:
        amount = Decimal(working_days)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"working_days must be a finite number >= 0, got {working_days}")
    if amount > MAX_WORKING_DAYS:
        raise ValueError(f"working_days {working_days} exceeds {MAX_WORKING_DAYS}; is the source value right?")
    return int((amount * _US_PER_WORKING_DAY).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _merge_pauses(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime]]:
    """Pauses as sorted, non-overlapping local intervals (overlapping requests count once).

    An open pause (end None) ends at ``_OPEN``.
    """
    spans: list[tuple[datetime, datetime]] = []
    for index, pause in enumerate(pauses):
        try:
            begin, end = pause
        except (TypeError, ValueError) as exc:
            raise TypeError(f"pause {index} must be a (start, end) pair of datetimes") from exc
        local_begin = _local(begin, f"pause {index} start")
        local_end = _OPEN if end is None else _local(end, f"pause {index} end")
        if local_end < local_begin:
            raise ValueError(f"pause {index} ends before it starts: {begin} > {end}")
        if local_end > local_begin:
            spans.append((local_begin, local_end))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _office_intervals(start: datetime, calendar: WorkingCalendar) -> Iterator[tuple[datetime, datetime]]:
    """Office-hour intervals on working days from local ``start`` onwards (endless)."""
    day: date = start.date()
    while True:
        if calendar.is_working_day(day):
            for opens, closes in OFFICE_HOURS:
                window_end = datetime.combine(day, closes)
                if window_end <= start:
                    continue
                yield max(datetime.combine(day, opens), start), window_end
        day += timedelta(days=1)


def _clock_running(
    start: datetime, pauses: Sequence[tuple[datetime, datetime]], calendar: WorkingCalendar
) -> Iterator[tuple[datetime, datetime]]:
    """Intervals when the deadline clock runs: office hours minus the (merged) pauses.

    Endless, unless an open pause stops the clock: then they end where it begins.
    """
    next_pause = 0
    for begin, end in _office_intervals(start, calendar):
        while begin < end:
            while next_pause < len(pauses) and pauses[next_pause][1] <= begin:
                next_pause += 1
            if next_pause == len(pauses) or pauses[next_pause][0] >= end:
                yield begin, end
                break
            pause_begin, pause_end = pauses[next_pause]
            if pause_begin > begin:
                yield begin, pause_begin
            if pause_end == _OPEN:
                return
            # Resume after the pause; if it runs past this window, the while loop ends and the
            # same pause is checked again against the next window.
            begin = max(begin, pause_end)


def counting_start(received_at: datetime, *, calendar: WorkingCalendar | None = None) -> datetime:
    """When the thời hạn giải quyết (processing time) starts running for a dossier.

    ``received_at`` itself during office hours of a working day; otherwise the next opening:
    07:00 of the next working day after hours or on a day off, 13:30 during the lunch break.
    """
    cal = calendar or default_calendar()
    begin, _ = next(_office_intervals(_local(received_at, "received_at"), cal))
    return _aware(begin)


def due_at(
    received_at: datetime,
    working_days: Decimal | float | int,
    pauses: Iterable[Pause] = (),
    *,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """The statutory deadline (hạn giải quyết / ngày hẹn trả kết quả) of a dossier.

    Counts ``working_days`` x 8 working hours of office time from :func:`counting_start`,
    skipping nights, lunch breaks, weekends and holidays, and not counting while a supplement
    request (yêu cầu bổ sung, "tạm dừng") pauses the clock. A deadline that lands exactly on a
    window's closing time is that closing time (17:00 or 11:30), not the next opening.

    Args:
        received_at: when the dossier was received (tiếp nhận); timezone-aware.
        working_days: statutory processing time in ngày làm việc; fractions allowed
            (0.5 day = 4 working hours).
        pauses: (supplement requested, supplement received) pairs, timezone-aware; received
            None while the request is open. Only the working time they cover after counting
            started (and before the deadline is reached) moves the deadline.
        calendar: working calendar; defaults to the repository's holiday seed.

    Returns:
        The deadline as an aware datetime in Vietnam time (UTC+7).

    Raises:
        ClockStoppedError: an open pause stopped the clock before the deadline (a ValueError).
        ValueError: a naive datetime, negative/non-finite ``working_days``, or a bad pause.
    """
    cal = calendar or default_calendar()
    start = _local(received_at, "received_at")
    remaining = _working_days_to_us(working_days)
    for begin, end in _clock_running(start, _merge_pauses(pauses), cal):
        available = _us(end - begin)
        if remaining <= available:
            return _aware(begin + timedelta(microseconds=remaining))
        remaining -= available
    # Office intervals are endless: only an open pause ends the running time.
    raise ClockStoppedError(
        f"an open supplement request stopped the clock {Decimal(remaining) / Decimal(_US_PER_HOUR)} working hours "
        "before the deadline: there is no deadline yet"
    )


def working_hours_between(
    start: datetime,
    end: datetime,
    pauses: Iterable[Pause] = (),
    *,
    calendar: WorkingCalendar | None = None,
) -> Decimal:
    """Giờ làm việc (working hours) between two instants, net of pauses, as Decimal hours.

    Only office hours on working days count; time inside ``pauses`` does not (an open pause:
    none after it begins). Negative when ``end`` is before ``start``. Useful for actual
    processing time and for "hours overdue".
    """
    local_start = _local(start, "start")
    local_end = _local(end, "end")
    sign = 1
    if local_end < local_start:
        local_start, local_end, sign = local_end, local_start, -1
    cal = calendar or default_calendar()
    return Decimal(sign * _working_us(local_start, local_end, _merge_pauses(pauses), cal)) / Decimal(_US_PER_HOUR)


def _working_us(
    local_start: datetime, local_end: datetime, pauses: Sequence[tuple[datetime, datetime]], cal: WorkingCalendar
) -> int:
    """Working microseconds from ``local_start`` to a later ``local_end``, net of ``pauses``."""
    total = 0
    for begin, stop in _clock_running(local_start, pauses, cal):
        if begin >= local_end:
            break
        total += _us(min(stop, local_end) - begin)
    return total


@dataclass(frozen=True)
class DossierDeadline:
    """A dossier's processing clock: the columns of the warehouse model ``int_dossiers_deadlines``.

    Hours and days are rounded to 0.0001 (half away from zero) like the model's numeric(14, 4).
    """

    clock_started_at: datetime  # tiếp nhận (intake) when known, else received_at
    counting_started_at: datetime  # the first running instant: the next opening at or after the start
    statutory_due_at: datetime | None  # None while an open supplement request stops the clock
    is_clock_paused: bool  # an open request stopped the clock before the deadline
    paused_working_hours: Decimal | None  # working time the pauses added to the deadline (None when paused)
    working_hours_taken: Decimal | None  # clock start to completion, net of pauses (None if not completed)
    working_days_taken: Decimal | None


_FOUR_PLACES = Decimal("0.0001")


def _rounded(microseconds: int, unit_us: int) -> Decimal:
    return (Decimal(microseconds) / Decimal(unit_us)).quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def dossier_deadline(
    received_at: datetime,
    working_days: Decimal | float | int,
    pauses: Iterable[Pause] = (),
    *,
    intake_at: datetime | None = None,
    completed_at: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> DossierDeadline:
    """The processing clock of one dossier, as the warehouse computes it (``int_dossiers_deadlines``).

    The clock starts at ``intake_at`` (tiếp nhận: the first status 2 of the status history; an
    online submission waits in the queue until an officer receives it), else at ``received_at``.
    The deadline is :func:`due_at` from there; the working time taken is
    :func:`working_hours_between` the start and ``completed_at``, net of the pauses.
    """
    cal = calendar or default_calendar()
    pause_list = list(pauses)
    started = _require_aware(intake_at if intake_at is not None else received_at, "clock start")
    start = _local(started, "clock start")
    try:
        due: datetime | None = due_at(started, working_days, pause_list, calendar=cal)
    except ClockStoppedError:
        due = None
    paused_hours = None
    if due is not None:
        # Office time from the start to the deadline, less the required time: what the pauses added.
        office_us = _working_us(start, _local(due, "due"), [], cal)
        paused_hours = _rounded(office_us - _working_days_to_us(working_days), _US_PER_HOUR)
    hours_taken = days_taken = None
    if completed_at is not None:
        end = _local(completed_at, "completed_at")
        if end < start:
            # Completed before the clock started (an intake recorded after the result): negative, and
            # no pause counts, since pauses only stop a clock that has started.
            taken = -_working_us(end, start, [], cal)
        else:
            taken = _working_us(start, end, _merge_pauses(pause_list), cal)
        hours_taken, days_taken = _rounded(taken, _US_PER_HOUR), _rounded(taken, _US_PER_WORKING_DAY)
    return DossierDeadline(
        clock_started_at=started,
        counting_started_at=counting_start(started, calendar=cal),
        statutory_due_at=due,
        is_clock_paused=due is None,
        paused_working_hours=paused_hours,
        working_hours_taken=hours_taken,
        working_days_taken=days_taken,
    )


def classify_completion(completed_at: datetime, due_at: datetime) -> CompletionClass:
    """Classify a settled dossier against its deadline (Biểu 06 "đã giải quyết" columns).

    - ``'late'`` (quá hạn): completed after the due datetime;
    - ``'on_time'`` (đúng hạn): completed on the due date (same calendar day in Vietnam time)
      and not after the due datetime;
    - ``'before_time'`` (trước hạn): completed on an earlier day.
    """
    completed = _require_aware(completed_at, "completed_at")
    due = _require_aware(due_at, "due_at")
    if completed > due:
        return "late"
    # The day comparison is in Vietnam time: 23:30 UTC is already the next morning in Hà Nội.
    if completed.astimezone(VN_TZ).date() == due.astimezone(VN_TZ).date():
        return "on_time"
    return "before_time"


def classify_open(as_of: datetime, due_at: datetime) -> OpenClass:
    """Classify a dossier still in process at ``as_of`` (Biểu 06 "đang giải quyết" columns).

    ``'within_time'`` (trong hạn) up to and including the due datetime, ``'overdue'`` (quá hạn)
    after it.
    """
    as_of_checked = _require_aware(as_of, "as_of")
    due = _require_aware(due_at, "due_at")
    return "overdue" if as_of_checked > due else "within_time"
