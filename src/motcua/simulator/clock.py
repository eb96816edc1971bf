"""Office time (giờ hành chính) for simulated events, and deterministic randomness.

Every staff action (intake, processing, result, return, apology letter, document handling) is
placed inside office hours (07:00-11:30, 13:30-17:00 Asia/Ho_Chi_Minh) on a working day of
:func:`motcua.workdays.calendar.default_calendar`, by counting working minutes with the same
deadline arithmetic the warehouse uses (:func:`motcua.workdays.deadlines.due_at`). Only citizens'
online submissions (and portal/SMS ratings) may happen at night or on days off.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from motcua.workdays.calendar import default_calendar
from motcua.workdays.deadlines import VN_TZ, due_at

MINUTES_PER_WORKING_DAY = 480
OFFICE_WINDOWS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))


def rng_for(*parts: object) -> random.Random:
    """A random generator determined only by ``parts`` (seed, unit, day, ...)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def unit_random(*parts: object) -> float:
    """A uniform number in [0, 1) determined only by ``parts`` (cheaper than :func:`rng_for`)."""
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@lru_cache(maxsize=8192)
def is_working_day(day: date) -> bool:
    return default_calendar().is_working_day(day)


def office_after(moment: datetime, working_minutes: float) -> datetime:
    """The moment ``working_minutes`` of office time after ``moment`` (next opening if 0).

    Always inside office hours of a working day (a window's closing minute included).
    """
    if working_minutes <= 0:
        return due_at(moment, 0)
    return due_at(moment, round(working_minutes / MINUTES_PER_WORKING_DAY, 6)).replace(microsecond=0)


def random_office_moment(rng: random.Random, day: date) -> datetime:
    """A uniformly drawn moment within the office hours of ``day`` (caller checks it is a working day)."""
    minute = rng.randrange(0, 4 * 60 + 30 + 3 * 60 + 30)
    if minute < 270:
        start = 7 * 60 + minute
    else:
        start = 13 * 60 + 30 + (minute - 270)
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
