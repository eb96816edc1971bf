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
* Composite indicators (ONLINE and TTTT from 766-2025) add up terms scored from the portal's
  named counters (``Counters.parts``), each term rounded on its own; a denominator of 0 gives
  the term 0 points. When any counter a term reads is missing (the crawler's export drops two of
  TTTT's, the portal never publishes ONLINE's for child units), the indicator is **not
  recomputed**: ``points`` is None and ``missing_counters`` names what was absent. It is never
  scored as if the missing counters were 0, and its group and the total are None too.

Rounding (làm tròn), decided to match what the portal publishes and keep published tables
additive: each indicator's points are rounded to 2 decimals ROUND_HALF_UP; a group score is the
sum of its indicators' rounded points and the total is the sum of the group scores, so every
published figure adds up exactly. The unrounded values are kept (``points_exact``) for analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType

from motcua.scoring.indicators import Formula, Indicator, IndicatorSet, Term, UnitKind

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
    ``parts`` holds a composite indicator's named counters as the portal names them (e.g.
    ``authorityCount``); a name absent or None is a missing counter. Any of them may be None.
    Ints, floats and numeric strings are converted to Decimal.
    """

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    stated_ratio: Decimal | None = None
    parts: Mapping[str, Decimal | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("numerator", "denominator", "stated_ratio"):
            object.__setattr__(self, name, _to_decimal(getattr(self, name), name))
        parts = {str(key): _to_decimal(value, f"parts[{key!r}]") for key, value in self.parts.items()}
        object.__setattr__(self, "parts", MappingProxyType(parts))

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
    points: Decimal | None  # rounded to 2 decimals, as published; None when counters are missing
    max_points: Decimal
    is_estimate: bool
    methodology_version: str
    note: str  # why the points are what they are, when not plain arithmetic; "" otherwise
    points_exact: Decimal | None  # unrounded points
    missing_counters: tuple[str, ...] = ()  # composite indicators: the counters the input lacks
    term_points: Mapping[str, Decimal] = field(default_factory=dict)  # composite: term code -> points

    @property
    def is_recomputed(self) -> bool:
        """False when the input lacked counters the rule needs (points is None)."""
        return self.points is not None


@dataclass(frozen=True)
class GroupScore:
    """Score of one indicator group (nhóm chỉ số), e.g. CKMB."""

    group: str
    points: Decimal | None  # sum of the indicators' rounded points; None when one is not recomputed
    max_points: Decimal
    is_estimate: bool  # True when any indicator of the group is an estimate
    points_exact: Decimal | None  # sum of unrounded points, for analysis only
    missing_counters: tuple[str, ...] = ()  # counters the input lacks, over the group's indicators


@dataclass(frozen=True)
class UnitScore:
    """Scores of one unit for one period under one methodology version."""

    methodology_version: str
    unit_kind: UnitKind
    indicators: tuple[ScoredIndicator, ...]
    groups: tuple[GroupScore, ...]
    total: Decimal | None  # sum of group scores; None when a group is not recomputed
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


def _term_points(term: Term, parts: Mapping[str, Decimal | None], notes: list[str]) -> Decimal:
    numerator = sum((parts[name] or _ZERO for name in term.numerator_counters), _ZERO)
    denominator = parts[term.denominator_counter] or _ZERO
    if denominator == 0:
        notes.append(f"{term.code}: {term.denominator_counter} 0, 0 points")
        return _ZERO
    rate = numerator / denominator
    if term.target_rate is not None:
        return min(term.max_points, term.max_points * rate / term.target_rate)
    if rate > _ONE:
        notes.append(f"{term.code}: rate {rate.normalize():f} capped at 1")
        rate = _ONE
    return term.max_points * rate


def _score_composite(
    indicator: Indicator, counters: Counters, notes: list[str]
) -> tuple[Decimal | None, Decimal | None, tuple[str, ...], dict[str, Decimal]]:
    """(rounded points, exact points, missing counters, term points) of a composite indicator."""
    missing = tuple(name for name in indicator.counter_names if counters.parts.get(name) is None)
    if missing:
        notes.append(f"not recomputed: the input lacks {', '.join(missing)} (never scored as 0)")
        return None, None, missing, {}
    terms: dict[str, Decimal] = {}
    exact = _ZERO
    for term in indicator.terms:
        points = _term_points(term, counters.parts, notes)
        exact += points
        terms[term.code] = round_points(points)  # each term is rounded on its own, as the portal does
    notes.append(" + ".join(f"{code} {points}" for code, points in terms.items()))
    return sum(terms.values(), _ZERO), exact, (), terms


def score_indicator(indicator: Indicator, counters: Counters | None, unit_kind: UnitKind | str) -> ScoredIndicator:
    """Score one indicator for one unit kind from its counters (None means no data)."""
    kind = UnitKind.parse(unit_kind)
    has_entry = counters is not None
    counters = counters or Counters()
    notes: list[str] = []
    rate: Decimal | None = None
    is_estimate = indicator.formula is Formula.PORTAL_ONLY
    rounded: Decimal | None = None
    points: Decimal | None
    missing: tuple[str, ...] = ()
    terms: dict[str, Decimal] = {}

    with localcontext() as ctx:
        ctx.prec = 28  # fixed precision so results do not depend on the caller's decimal context
        if not indicator.applies_to(kind):
            points = indicator.max_points
            notes.append(f"does not apply to {kind.value} units (scope {indicator.scope.value}): full points")
        elif indicator.formula is Formula.COMPOSITE and not has_entry:
            points = rounded = _ZERO
            notes.append("no data: 0 points")
        elif indicator.formula is Formula.COMPOSITE:
            # The headline rate (the feed's ``ratio``), for display: the points come from the terms.
            rate, _ = _resolve_rate(counters, [])
            rounded, points, missing, terms = _score_composite(indicator, counters, notes)
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
        points=rounded if indicator.formula is Formula.COMPOSITE else round_points(points),
        max_points=indicator.max_points,
        is_estimate=is_estimate,
        methodology_version=indicator.methodology_version,
        note="; ".join(notes),
        points_exact=points,
        missing_counters=missing,
        term_points=MappingProxyType(terms),
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
        complete = all(s.is_recomputed for s in members)
        groups.append(
            GroupScore(
                group=group_code,
                points=sum((s.points for s in members), _ZERO) if complete else None,
                max_points=indicators.group_max(group_code),
                is_estimate=any(s.is_estimate for s in members),
                points_exact=sum((s.points_exact for s in members), _ZERO) if complete else None,
                missing_counters=tuple(name for s in members for name in s.missing_counters),
            )
        )
    complete = all(g.points is not None for g in groups)
    return UnitScore(
        methodology_version=indicators.methodology_version,
        unit_kind=kind,
        indicators=scored,
        groups=tuple(groups),
        total=sum((g.points for g in groups), _ZERO) if complete else None,
        max_total=indicators.max_total,
        is_estimate=any(g.is_estimate for g in groups),
    )
