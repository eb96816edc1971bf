"""Decision 766 scoring engine (chấm điểm Bộ chỉ số 766).

One implementation scores both the portal's counters (to check the published points) and
Motcua's own counters (to score units and periods the portal does not publish), so the two can
only differ through their inputs, never through their arithmetic.

Rules, per indicator:

* Rate (tỷ lệ): ``numerator / denominator`` when both are known; otherwise the stated ratio
  (``Counters.stated_ratio``, a fraction 0..1) when there is one; otherwise no data, 0 points.
  Rates above 1 are capped at 1.
* Denominator 0: 0 points for every formula except ``zero_denominator_full``, which gives full
  points (no petition to handle means nothing handled badly).
* Points by formula: ``proportional``, ``stated_ratio_fallback``, ``zero_denominator_full`` and
  ``portal_only`` score ``max x rate``; ``capped_target`` scores ``min(max, max x rate / target)``;
  ``informational`` scores 0 of 0. ``portal_only`` points are Motcua's estimate
  (``is_estimate=True``): the portal's own formula is not public.
* Scope (phạm vi): an indicator that does not apply to the unit kind gives full points.

Rounding (làm tròn), decided to match what the portal publishes and keep published tables
additive: each indicator's points are rounded to 2 decimals ROUND_HALF_UP; a group score is the
sum of its indicators' rounded points and the total is the sum of the group scores, so every
published figure adds up exactly. The unrounded values are kept (``points_exact``) for analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from motcua.scoring.indicators import Formula, Indicator, IndicatorSet, UnitKind

__all__ = [
    "Counters",
    "GroupScore",
    "ScoredIndicator",
    "ScoringInputError",
    "UnitScore",
    "round_points",
    "score_indicator",
    "score_unit",
]

_CENT = Decimal("0.01")
_ONE = Decimal(1)
_ZERO = Decimal(0)


class ScoringInputError(ValueError):
    """Counters that cannot be scored: negative values, non-numbers, unknown indicator codes."""


def round_points(value: Decimal) -> Decimal:
    """Round points to 2 decimals, half up, as the portal publishes them."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _to_decimal(value: object, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise ScoringInputError(f"Counters.{field} must be a number or None, got {value!r}")
    try:
        # str() first so that floats keep their shortest repr (0.1, not 0.1000000000000000055...).
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        raise ScoringInputError(f"Counters.{field} {value!r} is not a number") from None
    if not number.is_finite():
        raise ScoringInputError(f"Counters.{field} {value!r} is not a finite number")
    if number < 0:
        raise ScoringInputError(f"Counters.{field} {value!r} is negative")
    return number


@dataclass(frozen=True)
class Counters:
    """Inputs of one indicator for one unit and period.

    ``numerator``/``denominator`` are counts (e.g. dossiers settled on time / received);
    ``stated_ratio`` is a ratio published without counts, as a fraction 0..1 (not a percent).
    Any of them may be None. Ints, floats and numeric strings are converted to Decimal.
    """

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    stated_ratio: Decimal | None = None

    def __post_init__(self) -> None:
        for field in ("numerator", "denominator", "stated_ratio"):
            object.__setattr__(self, field, _to_decimal(getattr(self, field), field))

    @property
    def has_counts(self) -> bool:
        """True when both numerator and denominator are known."""
        return self.numerator is not None and self.denominator is not None


@dataclass(frozen=True)
class ScoredIndicator:
    """Points of one indicator for one unit and period."""

    code: str
    group: str
    numerator: Decimal | None
    denominator: Decimal | None
    rate: Decimal | None  # the rate actually scored, after capping at 1; None when not used
    points: Decimal  # rounded to 2 decimals, as published
    max_points: Decimal
    is_estimate: bool
    methodology_version: str
    note: str  # why the points are what they are, when not plain arithmetic; "" otherwise
    points_exact: Decimal  # unrounded points


@dataclass(frozen=True)
class GroupScore:
    """Score of one indicator group (nhóm chỉ số), e.g. CKMB."""

    group: str
    points: Decimal  # sum of the indicators' rounded points
    max_points: Decimal
    is_estimate: bool  # True when any indicator of the group is an estimate
    points_exact: Decimal  # sum of unrounded points, for analysis only


@dataclass(frozen=True)
class UnitScore:
    """Scores of one unit for one period under one methodology version."""

    methodology_version: str
    unit_kind: UnitKind
    indicators: tuple[ScoredIndicator, ...]
    groups: tuple[GroupScore, ...]
    total: Decimal  # sum of group scores
    max_total: Decimal
    is_estimate: bool  # True when the total includes estimated (portal_only) points

    def indicator(self, code: str) -> ScoredIndicator:
        """The scored indicator with this code; KeyError when absent."""
        for scored in self.indicators:
            if scored.code == code:
                return scored
        raise KeyError(code)

    def group(self, group_code: str) -> GroupScore:
        """The group score with this code; KeyError when absent."""
        for group in self.groups:
            if group.group == group_code:
                return group
        raise KeyError(group_code)


def _resolve_rate(counters: Counters, notes: list[str]) -> tuple[Decimal | None, bool]:
    """Return (rate, zero_denominator). rate is None when there is nothing to score from."""
    if counters.has_counts:
        numerator, denominator = counters.numerator or _ZERO, counters.denominator or _ZERO
        if denominator == 0:
            return None, True
        rate = numerator / denominator
    elif counters.stated_ratio is not None:
        rate = counters.stated_ratio
        notes.append("scored from the stated ratio (numerator/denominator missing)")
    else:
        return None, False
    if rate > _ONE:
        # Counts can exceed the base (late syncs, re-opened dossiers); the portal never gives more
        # than full points, so cap rather than reward bad data.
        notes.append(f"rate {rate.normalize():f} capped at 1")
        rate = _ONE
    return rate, False


def _points_for_rate(indicator: Indicator, rate: Decimal) -> Decimal:
    if indicator.formula is Formula.CAPPED_TARGET:
        assert indicator.target_rate is not None  # guaranteed by the table loader
        return min(indicator.max_points, indicator.max_points * rate / indicator.target_rate)
    # proportional, stated_ratio_fallback, zero_denominator_full and portal_only all score
    # max x rate; with rate <= 1 this is already at most max, i.e. min(max, max x rate).
    return indicator.max_points * rate


def score_indicator(indicator: Indicator, counters: Counters | None, unit_kind: UnitKind | str) -> ScoredIndicator:
    """Score one indicator for one unit kind from its counters (None means no data)."""
    kind = UnitKind.parse(unit_kind)
    counters = counters or Counters()
    notes: list[str] = []
    rate: Decimal | None = None
    is_estimate = indicator.formula is Formula.PORTAL_ONLY

    with localcontext() as ctx:
        ctx.prec = 28  # fixed precision so results do not depend on the caller's decimal context
        if not indicator.applies_to(kind):
            points = indicator.max_points
            notes.append(f"does not apply to {kind.value} units (scope {indicator.scope.value}): full points")
        elif indicator.formula is Formula.INFORMATIONAL:
            rate, _ = _resolve_rate(counters, notes)
            points = _ZERO
            notes.append("informational indicator: not scored")
        else:
            rate, zero_denominator = _resolve_rate(counters, notes)
            if zero_denominator:
                if indicator.formula is Formula.ZERO_DENOMINATOR_FULL:
                    points = indicator.max_points
                    notes.append("denominator 0: full points (nothing to handle)")
                else:
                    points = _ZERO
                    notes.append("denominator 0: 0 points")
            elif rate is None:
                points = _ZERO
                notes.append("no data: 0 points")
            else:
                points = _points_for_rate(indicator, rate)
        if is_estimate:
            notes.append("Motcua estimate (max x rate): the portal's formula is not public")

    return ScoredIndicator(
        code=indicator.code,
        group=indicator.group_code,
        numerator=counters.numerator,
        denominator=counters.denominator,
        rate=rate,
        points=round_points(points),
        max_points=indicator.max_points,
        is_estimate=is_estimate,
        methodology_version=indicator.methodology_version,
        note="; ".join(notes),
        points_exact=points,
    )


def score_unit(counters: Mapping[str, Counters], unit_kind: UnitKind | str, indicators: IndicatorSet) -> UnitScore:
    """Score one unit and period: every indicator of ``indicators``, its groups and its total.

    ``counters`` maps indicator code to Counters; indicators without an entry score 0 with the
    note "no data". A code that the methodology version does not know raises ScoringInputError,
    because silently ignoring it would hide a mapping error in the caller.
    """
    unknown = sorted(code for code in counters if code not in indicators)
    if unknown:
        raise ScoringInputError(
            f"indicator codes not in methodology {indicators.methodology_version}: {', '.join(unknown)}"
        )
    kind = UnitKind.parse(unit_kind)
    scored = tuple(score_indicator(ind, counters.get(ind.code), kind) for ind in indicators)

    groups = []
    for group_code in indicators.group_codes:
        members = [s for s in scored if s.group == group_code]
        groups.append(
            GroupScore(
                group=group_code,
                points=sum((s.points for s in members), _ZERO),
                max_points=indicators.group_max(group_code),
                is_estimate=any(s.is_estimate for s in members),
                points_exact=sum((s.points_exact for s in members), _ZERO),
            )
        )
    return UnitScore(
        methodology_version=indicators.methodology_version,
        unit_kind=kind,
        indicators=scored,
        groups=tuple(groups),
        total=sum((g.points for g in groups), _ZERO),
        max_total=indicators.max_total,
        is_estimate=any(g.is_estimate for g in groups),
    )
