"""The catalogue backfill's windows (``motcua catalogue-backfill``; landed in tests/integration)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from motcua.domain import TIME_ZONE
from motcua.landing.catalogue_backfill import backfill_end, catalogue_windows


def test_windows_tile_the_range_from_midnight_and_an_empty_range_or_window_is_an_error():
    with pytest.raises(ValueError, match="nothing to backfill"):
        catalogue_windows(date(2026, 1, 1), datetime(2025, 1, 1, tzinfo=TIME_ZONE))
    with pytest.raises(ValueError, match="must be positive"):
        catalogue_windows(date(2016, 1, 1), datetime(2017, 1, 1, tzinfo=TIME_ZONE), timedelta(0))
    windows = catalogue_windows(date(2016, 1, 1), datetime(2016, 1, 10, 12, tzinfo=TIME_ZONE), timedelta(days=3))
    assert [(s.day, e.day, e.hour) for s, e in windows] == [(1, 4, 0), (4, 7, 0), (7, 10, 0), (10, 10, 12)]


def test_the_backfill_ends_at_the_requested_day_but_never_past_the_daily_pulls_or_now():
    watermark = datetime(2025, 6, 2, tzinfo=TIME_ZONE)
    now = datetime(2026, 12, 7, 15, tzinfo=TIME_ZONE)
    # A past day: its end.
    assert backfill_end(date(2022, 12, 31), watermark, now) == datetime(2023, 1, 1, tzinfo=TIME_ZONE)
    # No day, or a day past the watermark: the watermark (the daily pulls own what follows).
    assert backfill_end(None, watermark, now) == watermark
    assert backfill_end(date(2026, 1, 1), watermark, now) == watermark
    # Before the first daily pull: never past now (a future window would move the as-of date).
    assert backfill_end(date(2030, 1, 1), None, now) == now
    assert backfill_end(None, None, now) == now
    assert backfill_end(date.max, None, now) == now  # the last day there is: no overflow
    # The watermark's own day: up to the watermark, not the end of that day.
    assert backfill_end(date(2025, 6, 2), watermark, now) == watermark
