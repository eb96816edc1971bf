"""Tests for motcua_simulator.workdays.deadlines, with the expected values computed by hand.

Office hours: 07:00-11:30 (4.5 h) and 13:30-17:00 (3.5 h); 1 working day = 8 h; Vietnam time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from motcua_simulator.workdays.calendar import Holiday, WorkingCalendar
from motcua_simulator.workdays.deadlines import (
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


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


# --- start of counting -------------------------------------------------------------------------


def test_friday_16h_one_day_is_due_monday_16h() -> None:
    # Fri 7/3/2025 16:00-17:00 = 1 h (7 h left); Mon 10/3 07:00-11:30 = 4.5 h (2.5 h left);
    # 13:30 + 2.5 h = 16:00 Monday.
    assert due_at(vn(2025, 3, 7, 16), 1) == vn(2025, 3, 10, 16)


def test_received_on_saturday_counts_from_monday_morning() -> None:
    # Sat 8/3/2025 10:00 -> counting starts Mon 10/3 07:00; 8 h -> 17:00 the same Monday.
    assert counting_start(vn(2025, 3, 8, 10)) == vn(2025, 3, 10, 7)
    assert due_at(vn(2025, 3, 8, 10), 1) == vn(2025, 3, 10, 17)


def test_received_after_hours_counts_from_next_morning() -> None:
    # Wed 5/3/2025 18:00 -> Thu 6/3 07:00; 1 day -> Thu 17:00.
    assert counting_start(vn(2025, 3, 5, 18)) == vn(2025, 3, 6, 7)
    assert due_at(vn(2025, 3, 5, 18), 1) == vn(2025, 3, 6, 17)
    # Before opening on a working day: from 07:00 the same day.
    assert counting_start(vn(2025, 3, 5, 6, 15)) == vn(2025, 3, 5, 7)
    # Exactly at closing time is after hours too.
    assert counting_start(vn(2025, 3, 5, 17)) == vn(2025, 3, 6, 7)


def test_deadline_ending_at_closing_time_stays_at_closing_time() -> None:
    # Mon 10/3/2025 07:00 + 8 h = 17:00 the same day, not 07:00 Tuesday.
    assert due_at(vn(2025, 3, 10, 7), 1) == vn(2025, 3, 10, 17)
    # 4.5 h (0.5625 day) from 07:00 ends exactly at the 11:30 lunch closing.
    assert due_at(vn(2025, 3, 10, 7), Decimal("0.5625")) == vn(2025, 3, 10, 11, 30)


def test_zero_days_is_the_counting_start() -> None:
    assert due_at(vn(2025, 3, 7, 18), 0) == vn(2025, 3, 10, 7)


# --- lunch break -------------------------------------------------------------------------------


def test_half_day_received_at_11h() -> None:
    # Wed 5/3/2025 11:00, 0.5 day = 4 h: 11:00-11:30 = 0.5 h before lunch (3.5 h left);
    # the afternoon window 13:30-17:00 is exactly 3.5 h -> due 17:00 the same day (not 16:30:
    # the 2 h lunch break does not count).
    assert due_at(vn(2025, 3, 5, 11), Decimal("0.5")) == vn(2025, 3, 5, 17)
    assert due_at(vn(2025, 3, 5, 11), 0.5) == vn(2025, 3, 5, 17)


def test_received_during_lunch_counts_from_13h30() -> None:
    # Wed 5/3/2025 12:00 -> 13:30; 4 h: 13:30-17:00 = 3.5 h, 0.5 h left -> Thu 6/3 07:30.
    assert counting_start(vn(2025, 3, 5, 12)) == vn(2025, 3, 5, 13, 30)
    assert due_at(vn(2025, 3, 5, 12), Decimal("0.5")) == vn(2025, 3, 6, 7, 30)


# --- holidays ----------------------------------------------------------------------------------


def test_deadline_across_lunar_new_year_2025() -> None:
    # Received Fri 24/1/2025 10:00, 3 working days = 24 h.
    #   Fri 24/1: 10:00-11:30 (1.5 h) + 13:30-17:00 (3.5 h) = 5 h -> 19 h left.
    #   25-26/1 weekend, 27-31/1 Tết (28 Chạp - mùng 3), 1-2/2 weekend: nothing counts.
    #   Mon 3/2: 8 h -> 11 h left; Tue 4/2: 8 h -> 3 h left; Wed 5/2: 07:00 + 3 h = 10:00.
    assert due_at(vn(2025, 1, 24, 10), 3) == vn(2025, 2, 5, 10)


def test_compensatory_saturday_counts_as_working_day() -> None:
    # Fri 25/4/2025 16:00, 1 day: Fri 1 h (7 h left); Sat 26/4 is a làm bù working day:
    # 07:00-11:30 = 4.5 h (2.5 h left), 13:30 + 2.5 h = 16:00 on Saturday.
    assert due_at(vn(2025, 4, 25, 16), 1) == vn(2025, 4, 26, 16)
    # Received on that Saturday at 09:00: counting starts at once, not on Monday.
    assert counting_start(vn(2025, 4, 26, 9)) == vn(2025, 4, 26, 9)


def test_reunification_break_2025() -> None:
    # Tue 29/4/2025 09:00, 2 days = 16 h: 29/4 gives 2.5 h + 3.5 h = 6 h (10 h left);
    # 30/4-4/5 off (30/4, 1/5, swapped 2/5, weekend); Mon 5/5: 8 h (2 h left); Tue 6/5 09:00.
    assert due_at(vn(2025, 4, 29, 9), 2) == vn(2025, 5, 6, 9)


def test_national_day_2025_two_days() -> None:
    # Fri 29/8/2025 15:00, 1 day: Fri 15:00-17:00 = 2 h (6 h left); 30-31/8 weekend;
    # 1/9 (adjacent day) and 2/9 off; Wed 3/9: 4.5 h morning (1.5 h left) -> 15:00.
    assert due_at(vn(2025, 8, 29, 15), 1) == vn(2025, 9, 3, 15)


def test_national_day_2026_with_swap() -> None:
    # Fri 28/8/2026 09:00, 1 day: Fri 2.5 h + 3.5 h = 6 h (2 h left); weekend; Mon 31/8 swapped
    # off; 1/9 and 2/9 holidays; Thu 3/9 07:00 + 2 h = 09:00.
    assert due_at(vn(2026, 8, 28, 9), 1) == vn(2026, 9, 3, 9)
    # ... and Saturday 22/8/2026 is worked in exchange.
    assert due_at(vn(2026, 8, 21, 17), Decimal("0.25")) == vn(2026, 8, 22, 9)


# --- supplement-request pauses -----------------------------------------------------------------


def test_supplement_pause_of_two_working_days_extends_by_two_days() -> None:
    received = vn(2025, 3, 3, 8)  # Monday
    # Without a pause: 5 days from Mon 08:00 -> Mon 10/3 08:00.
    assert due_at(received, 5) == vn(2025, 3, 10, 8)
    # Supplement requested Tue 4/3 08:00, received Thu 6/3 08:00: 16 working hours paused.
    pause = (vn(2025, 3, 4, 8), vn(2025, 3, 6, 8))
    assert working_hours_between(*pause) == Decimal(16)
    # Deadline moves by 2 working days: Mon 10/3 08:00 -> Wed 12/3 08:00.
    assert due_at(received, 5, [pause]) == vn(2025, 3, 12, 8)


def test_pause_outside_office_hours_changes_nothing() -> None:
    # Paused from Fri 17:00 to Mon 07:00: no working time covered.
    pause = (vn(2025, 3, 7, 17), vn(2025, 3, 10, 7))
    assert due_at(vn(2025, 3, 7, 16), 1, [pause]) == vn(2025, 3, 10, 16)


def test_pause_after_the_deadline_does_not_rescue_it() -> None:
    # The clock had already run out on Mon 10/3 16:00; a later request does not move it.
    pause = (vn(2025, 3, 11, 9), vn(2025, 3, 13, 9))
    assert due_at(vn(2025, 3, 7, 16), 1, [pause]) == vn(2025, 3, 10, 16)


def test_pause_spanning_lunch_and_overlapping_pauses() -> None:
    # Received Mon 10/3/2025 07:00, 1 day. Pauses 11:00-14:00 and 13:00-14:30 overlap, so the
    # clock stops 11:00-14:30: 0.5 h (11:00-11:30) + 1 h (13:30-14:30) = 1.5 h of working time.
    # Due 17:00 + 1.5 h -> Tue 11/3 08:30.
    pauses = [(vn(2025, 3, 10, 11), vn(2025, 3, 10, 14)), (vn(2025, 3, 10, 13), vn(2025, 3, 10, 14, 30))]
    assert due_at(vn(2025, 3, 10, 7), 1, pauses) == vn(2025, 3, 11, 8, 30)


def test_bad_pauses_are_rejected() -> None:
    with pytest.raises(ValueError):
        due_at(vn(2025, 3, 10, 7), 1, [(vn(2025, 3, 11, 7), vn(2025, 3, 10, 7))])  # ends before start
    with pytest.raises(ValueError):
        due_at(vn(2025, 3, 10, 7), 1, [(datetime(2025, 3, 10, 8), vn(2025, 3, 10, 9))])  # naive
    with pytest.raises(ClockStoppedError):  # a ValueError: no deadline yet
        due_at(vn(2025, 3, 10, 7), 1, [(vn(2025, 3, 10, 8), None)])


# --- open supplement requests (received None) ---------------------------------------------------


def test_an_open_request_after_the_deadline_leaves_it() -> None:
    # The clock ran out Mon 10/3 16:00; a request still open from Tue does not stop it.
    assert due_at(vn(2025, 3, 7, 16), 1, [(vn(2025, 3, 11, 9), None)]) == vn(2025, 3, 10, 16)
    # Exactly when the clock runs out: the deadline is that instant.
    assert due_at(vn(2025, 3, 7, 16), 1, [(vn(2025, 3, 10, 16), None)]) == vn(2025, 3, 10, 16)


def test_working_hours_stop_counting_at_an_open_request() -> None:
    # Mon 07:00-17:00 with a request open from 09:00: 2 working hours.
    assert working_hours_between(vn(2025, 3, 10, 7), vn(2025, 3, 10, 17), [(vn(2025, 3, 10, 9), None)]) == 2


def test_dossier_deadline_is_the_models_row() -> None:
    # Submitted online Fri 7/3/2025 20:00, received Mon 10/3 09:00, half a day; a request Mon 10:00-14:30
    # (1.5 h + 1 h = 2.5 h paused), completed Tue 11/3 10:00.
    clock = dossier_deadline(
        vn(2025, 3, 7, 20),
        Decimal("0.5"),
        [(vn(2025, 3, 10, 10), vn(2025, 3, 10, 14, 30))],
        intake_at=vn(2025, 3, 10, 9),
        completed_at=vn(2025, 3, 11, 10),
    )
    assert clock == DossierDeadline(
        clock_started_at=vn(2025, 3, 10, 9),
        counting_started_at=vn(2025, 3, 10, 9),
        statutory_due_at=vn(2025, 3, 11, 7, 30),  # 1 h + 2.5 h Monday, 0.5 h Tuesday
        is_clock_paused=False,
        paused_working_hours=Decimal("2.5000"),
        working_hours_taken=Decimal("6.5000"),  # 1 h + 2.5 h Monday, 3 h Tuesday
        working_days_taken=Decimal("0.8125"),
    )
    paused = dossier_deadline(vn(2025, 3, 10, 9), 5, [(vn(2025, 3, 10, 10), None)])
    assert (paused.statutory_due_at, paused.is_clock_paused, paused.paused_working_hours) == (None, True, None)
    # Completed before an intake recorded late: negative, no pause counted.
    early = dossier_deadline(
        vn(2025, 3, 10, 8),
        1,
        [(vn(2025, 3, 10, 8), vn(2025, 3, 10, 9))],
        intake_at=vn(2025, 3, 10, 10),
        completed_at=vn(2025, 3, 10, 8),
    )
    assert (early.working_hours_taken, early.working_days_taken) == (Decimal("-2.0000"), Decimal("-0.2500"))


# --- working hours -----------------------------------------------------------------------------


def test_working_hours_between() -> None:
    assert working_hours_between(vn(2025, 3, 10, 7), vn(2025, 3, 10, 17)) == Decimal(8)
    assert working_hours_between(vn(2025, 3, 10, 11), vn(2025, 3, 10, 14)) == Decimal("1")  # 0.5 + 0.5
    assert working_hours_between(vn(2025, 3, 7, 16), vn(2025, 3, 10, 16)) == Decimal(8)
    assert working_hours_between(vn(2025, 3, 10, 16), vn(2025, 3, 7, 16)) == Decimal(-8)
    assert working_hours_between(vn(2025, 3, 8, 9), vn(2025, 3, 9, 9)) == Decimal(0)  # weekend
    # Across Tết 2025: Fri 24/1 08:00-17:00 = 7 h, Mon 3/2 07:00-09:00 = 2 h.
    assert working_hours_between(vn(2025, 1, 24, 8), vn(2025, 2, 3, 9)) == Decimal(9)
    paused = [(vn(2025, 3, 10, 9), vn(2025, 3, 10, 10))]
    assert working_hours_between(vn(2025, 3, 10, 7), vn(2025, 3, 10, 17), paused) == Decimal(7)


@pytest.mark.parametrize("days", [Decimal("0.5"), 1, 3, Decimal("7.25"), 15])
@pytest.mark.parametrize(
    "received",
    [vn(2025, 1, 23, 15, 45), vn(2025, 4, 25, 12, 10), vn(2026, 2, 13, 16, 59), vn(2019, 12, 31, 20)],
)
def test_due_at_and_working_hours_agree(received: datetime, days: Decimal | int) -> None:
    pauses = [(received + timedelta(hours=20), received + timedelta(hours=70))]
    due = due_at(received, days, pauses)
    assert working_hours_between(received, due, pauses) == Decimal(days) * 8


# --- time zones and input checks ---------------------------------------------------------------


def test_other_time_zones_are_converted_and_result_is_vietnam_time() -> None:
    received_utc = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)  # = Fri 16:00 in Hà Nội
    due = due_at(received_utc, 1)
    assert due == vn(2025, 3, 10, 16)
    assert due.utcoffset() == timedelta(hours=7)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 3, 7, 16)
    with pytest.raises(ValueError):
        due_at(naive, 1)
    with pytest.raises(ValueError):
        counting_start(naive)
    with pytest.raises(ValueError):
        working_hours_between(naive, vn(2025, 3, 10, 16))
    with pytest.raises(ValueError):
        classify_completion(naive, vn(2025, 3, 10, 16))
    with pytest.raises(ValueError):
        classify_open(vn(2025, 3, 10, 16), naive)


@pytest.mark.parametrize(
    "bad", [-1, Decimal("-0.5"), float("nan"), float("inf"), Decimal("NaN"), Decimal("1e100"), 10_001]
)
def test_bad_working_days_are_rejected(bad: Decimal | float | int) -> None:
    with pytest.raises(ValueError):
        due_at(vn(2025, 3, 10, 7), bad)


def test_bool_working_days_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        due_at(vn(2025, 3, 10, 7), True)


def test_custom_calendar() -> None:
    # A calendar with no holidays at all: Tết 2025 is just a normal week.
    cal = WorkingCalendar([Holiday(date(2000, 1, 1), "x", "x", "statutory")])
    assert due_at(vn(2025, 1, 24, 10), 3, calendar=cal) == vn(2025, 1, 29, 10)


# --- classification ----------------------------------------------------------------------------

DUE = vn(2025, 3, 10, 16)  # Monday 16:00


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        (vn(2025, 3, 10, 16), "on_time"),  # exactly at the deadline
        (vn(2025, 3, 10, 7, 0), "on_time"),  # same day, earlier in the morning
        (vn(2025, 3, 10, 0, 0), "on_time"),  # first instant of the due day
        (vn(2025, 3, 9, 23, 59, 59), "before_time"),  # the day before
        (vn(2025, 3, 3, 9), "before_time"),
        (vn(2025, 3, 10, 16) + timedelta(microseconds=1), "late"),
        (vn(2025, 3, 10, 16, 30), "late"),  # same day but after the due time
        (vn(2025, 3, 11, 8), "late"),
        # 9/3 23:30 UTC is 10/3 06:30 in Hà Nội: the due day, so on time.
        (datetime(2025, 3, 9, 23, 30, tzinfo=UTC), "on_time"),
        # 9/3 16:30 UTC is 9/3 23:30 in Hà Nội: the day before.
        (datetime(2025, 3, 9, 16, 30, tzinfo=UTC), "before_time"),
    ],
)
def test_classify_completion(completed: datetime, expected: str) -> None:
    assert classify_completion(completed, DUE) == expected


def test_classify_open() -> None:
    assert classify_open(vn(2025, 3, 10, 15), DUE) == "within_time"
    assert classify_open(DUE, DUE) == "within_time"
    assert classify_open(DUE + timedelta(microseconds=1), DUE) == "overdue"
    assert classify_open(vn(2025, 3, 11, 8), DUE) == "overdue"
