"""Which Decision 766 periods a monthly run of the portal DAG covers."""

from __future__ import annotations

from datetime import date


def portal_periods(month_start: date) -> list[tuple[str, str]]:
    """The month itself, plus its quarter and year when the month closes them.

    The portal publishes month, quarter and year scores; a quarter's score is not the mean of
    its months (dossiers open at a month's end may be late by the quarter's end), so each
    period is pulled and scored on its own.
    """
    if month_start.day != 1:
        raise ValueError(f"a month starts on day 1, got {month_start}")
    periods = [("month", f"{month_start:%Y-%m}")]
    if month_start.month % 3 == 0:
        periods.append(("quarter", f"{month_start.year}-Q{month_start.month // 3}"))
    if month_start.month == 12:
        periods.append(("year", f"{month_start.year}"))
    return periods


def portal_snapshot_periods(as_of: date) -> list[tuple[str, str]]:
    """The year and the quarter running on ``as_of``: the portal's year-to-date and
    quarter-to-date scores (lũy kế từ đầu năm, từ đầu quý), which it overwrites every day."""
    return [("year", f"{as_of.year}"), ("quarter", f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}")]
