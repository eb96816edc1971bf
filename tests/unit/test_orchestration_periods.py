from __future__ import annotations

from datetime import date

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
