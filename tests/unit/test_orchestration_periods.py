from __future__ import annotations

from datetime import UTC, date

import pytest

from motcua.orchestration.periods import portal_periods, portal_snapshot_periods


def test_plain_month():
    assert portal_periods(date(2025, 5, 1)) == [("month", "2025-05")]


def test_quarter_end_and_year_end():
    assert portal_periods(date(2025, 6, 1)) == [("month", "2025-06"), ("quarter", "2025-Q2")]
    assert portal_periods(date(2025, 12, 1)) == [("month", "2025-12"), ("quarter", "2025-Q4"), ("year", "2025")]


def test_rejects_mid_month():
    with pytest.raises(ValueError, match="day 1"):
        portal_periods(date(2025, 6, 15))


def test_snapshots_keep_the_running_year_and_quarter():
    assert portal_snapshot_periods(date(2025, 8, 14)) == [("year", "2025"), ("quarter", "2025-Q3")]
    assert portal_snapshot_periods(date(2026, 1, 1)) == [("year", "2026"), ("quarter", "2026-Q1")]
    assert portal_snapshot_periods(date(2025, 12, 31)) == [("year", "2025"), ("quarter", "2025-Q4")]


def test_a_snapshot_run_keeps_the_day_its_interval_covers():
    from motcua.cli import snapshot_run_date

    logical = snapshot_run_date(date(2025, 8, 14))
    # The run for 14 August starts at 06:00 on the 15th, Vietnam time, once the day is over.
    assert (logical.date(), logical.hour, logical.utcoffset().total_seconds()) == (date(2025, 8, 15), 6, 7 * 3600)


def test_the_run_covering_sunday_in_vietnam_validates_everything_whole():
    from datetime import datetime

    from motcua.orchestration.schedules import is_full_validation_day

    # The daily run of Sunday 8 June 2025 starts at 00:00 Vietnam time, 17:00 UTC on Saturday.
    assert is_full_validation_day(datetime(2025, 6, 7, 17, 0, tzinfo=UTC))
    assert not is_full_validation_day(datetime(2025, 6, 8, 17, 0, tzinfo=UTC))
    assert not is_full_validation_day(datetime(2025, 6, 6, 17, 0, tzinfo=UTC))
