from __future__ import annotations

from datetime import UTC, date

import pytest

from motcua.orchestration.periods import portal_periods


def test_plain_month():
    assert portal_periods(date(2025, 5, 1)) == [("month", "2025-05")]


def test_quarter_end_and_year_end():
    assert portal_periods(date(2025, 6, 1)) == [("month", "2025-06"), ("quarter", "2025-Q2")]
    assert portal_periods(date(2025, 12, 1)) == [("month", "2025-12"), ("quarter", "2025-Q4"), ("year", "2025")]


def test_rejects_mid_month():
    with pytest.raises(ValueError, match="day 1"):
        portal_periods(date(2025, 6, 15))


def test_the_run_covering_sunday_in_vietnam_validates_everything_whole():
    from datetime import datetime

    from motcua.orchestration.schedules import is_full_validation_day

    # The daily run of Sunday 8 June 2025 starts at 00:00 Vietnam time, 17:00 UTC on Saturday.
    assert is_full_validation_day(datetime(2025, 6, 7, 17, 0, tzinfo=UTC))
    assert not is_full_validation_day(datetime(2025, 6, 8, 17, 0, tzinfo=UTC))
    assert not is_full_validation_day(datetime(2025, 6, 6, 17, 0, tzinfo=UTC))
