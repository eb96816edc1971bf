"""The catalogue backfill's windows (``motcua catalogue-backfill``; landed in tests/integration)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from motcua.domain import TIME_ZONE
from motcua.landing.catalogue_backfill import catalogue_windows


def test_windows_tile_the_range_from_midnight_and_an_empty_range_or_window_is_an_error():
    with pytest.raises(ValueError, match="nothing to backfill"):
        catalogue_windows(date(2026, 1, 1), datetime(2025, 1, 1, tzinfo=TIME_ZONE))
    with pytest.raises(ValueError, match="must be positive"):
        catalogue_windows(date(2016, 1, 1), datetime(2017, 1, 1, tzinfo=TIME_ZONE), timedelta(0))
    windows = catalogue_windows(date(2016, 1, 1), datetime(2016, 1, 10, 12, tzinfo=TIME_ZONE), timedelta(days=3))
    assert [(s.day, e.day, e.hour) for s, e in windows] == [(1, 4, 0), (4, 7, 0), (7, 10, 0), (10, 10, 12)]
