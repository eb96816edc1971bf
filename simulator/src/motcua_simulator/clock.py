"""Office time (giờ hành chính) for simulated events, and deterministic randomness.

Every staff action (intake, processing, result, return, apology letter, document handling) is
placed inside office hours (07:00-11:30, 13:30-17:00 Asia/Ho_Chi_Minh) on a working day of
:func:`motcua_simulator.workdays.calendar.default_calendar`, by counting working minutes with the same
deadline arithmetic the warehouse uses (:func:`motcua_simulator.workdays.deadlines.due_at`). Only citizens'
online submissions (and portal/SMS ratings) may happen at night or on days off.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from motcua_simulator.workdays.calendar import default_calendar
from motcua_simulator.workdays.deadlines import VN_TZ

MINUTES_PER_WORKING_DAY = 480
TABLE_START = date(2010, 1, 1)  # range of the precomputed working-time table
TABLE_END = date(2041, 1, 1)
OFFICE_WINDOWS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))


def rng_for(*parts: object) -> random.Random:
    """A random generator determined only by ``parts`` (seed, unit, day, ...)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def unit_random(*parts: object) -> float:
    """A uniform number in [0, 1) determined only by ``parts`` (cheaper than :func:`rng_for`)."""
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@lru_cache(maxsize=1)
def _working_days() -> frozenset[date]:
    calendar = default_calendar()
    first, last = TABLE_START.toordinal(), TABLE_END.toordinal()
    return frozenset(d for d in map(date.fromordinal, range(first, last)) if calendar.is_working_day(d))


def is_working_day(day: date) -> bool:
    """Working day (ngày làm việc) of the repository's holiday calendar."""
    if TABLE_START <= day < TABLE_END:
        return day in _working_days()
    return default_calendar().is_working_day(day)


# -- working time as an ordinal ---------------------------------------------------------------
# Working seconds since TABLE_START, counting only office hours of working days. The same
# arithmetic as motcua_simulator.workdays.deadlines.due_at (a deadline landing on a window's end is that
# end), but a table look-up instead of a walk over windows: generation calls it ~10 times per
# dossier. tests/unit/simulator checks it against due_at.
_MORNING = 270 * 60  # 07:00-11:30
_DAY = 480 * 60


@lru_cache(maxsize=1)
def _table() -> tuple[list[int], list[int], list[date]]:
    """(ordinal at the start of each calendar day, ends of working days, working days)."""
    starts: list[int] = []
    ends: list[int] = []
    days: list[date] = []
    total = 0
    day = TABLE_START
    while day < TABLE_END:
        starts.append(total)
        if is_working_day(day):
            total += _DAY
            ends.append(total)
            days.append(day)
        day += timedelta(days=1)
    return starts, ends, days


def working_ordinal(moment: datetime) -> int:
    """Working seconds from TABLE_START to ``moment`` (office time only)."""
    local = moment.astimezone(VN_TZ)
    day = local.date()
    starts, _, _ = _table()
    base = starts[(day - TABLE_START).days]
    if not is_working_day(day):
        return base
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    if seconds <= 7 * 3600:
        return base
    if seconds <= 11 * 3600 + 1800:
        return base + seconds - 7 * 3600
    if seconds <= 13 * 3600 + 1800:
        return base + _MORNING
    if seconds <= 17 * 3600:
        return base + _MORNING + seconds - (13 * 3600 + 1800)
    return base + _DAY


def from_working_ordinal(ordinal: int) -> datetime:
    """The moment at working-second ``ordinal``; a window's end rather than the next opening."""
    _, ends, days = _table()
    index = bisect_left(ends, ordinal)
    offset = ordinal - (ends[index] - _DAY)
    seconds = 7 * 3600 + offset if offset <= _MORNING else 13 * 3600 + 1800 + offset - _MORNING
    return datetime.combine(days[index], time(0), VN_TZ) + timedelta(seconds=seconds)


def office_after(moment: datetime, working_minutes: float) -> datetime:
    """The moment ``working_minutes`` of office time after ``moment``.

    Always inside office hours of a working day (a window's closing minute included); with 0
    minutes, ``moment`` itself if it is in office hours.
    """
    return from_working_ordinal(working_ordinal(moment) + max(1, round(working_minutes * 60)))


def working_seconds_between(start: datetime, end: datetime) -> int:
    return working_ordinal(end) - working_ordinal(start)


def add_working_days(moment: datetime, working_days: float, pause_seconds: int = 0) -> datetime:
    """Like :func:`motcua_simulator.workdays.deadlines.due_at` with pauses already summed in seconds."""
    return from_working_ordinal(working_ordinal(moment) + round(working_days * _DAY) + pause_seconds)


def random_office_moment(rng: random.Random, day: date) -> datetime:
    """A uniformly drawn moment within the office hours of ``day`` (caller checks it is a working day)."""
    minute = rng.randrange(0, 4 * 60 + 30 + 3 * 60 + 30)
    start = 7 * 60 + minute if minute < 270 else 13 * 60 + 30 + (minute - 270)
    return datetime.combine(day, time(start // 60, start % 60), VN_TZ) + timedelta(seconds=rng.randrange(60))


def in_office_hours(moment: datetime) -> bool:
    """True when ``moment`` is within office hours (ends included) of a working day."""
    local = moment.astimezone(VN_TZ)
    if not is_working_day(local.date()):
        return False
    wall = local.time().replace(tzinfo=None)
    return any(opens <= wall <= closes for opens, closes in OFFICE_WINDOWS)


def any_moment(rng: random.Random, day: date) -> datetime:
    """Any second of ``day`` (online submissions, portal ratings)."""
    return datetime.combine(day, time(0), VN_TZ) + timedelta(seconds=rng.randrange(86400))
