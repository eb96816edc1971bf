"""Versioned indicator table of Decision 766/QĐ-TTg (Bộ chỉ số 766).

The table lives in the dbt seed ``dbt_project/seeds/scoring/decision_766_indicators.csv`` so that
the warehouse and this Python engine read the same rules. Each row is one indicator (chỉ số
thành phần) of one methodology version (phiên bản phương pháp chấm điểm).

Rules enforced when loading, so that a broken seed fails loudly instead of scoring wrongly:

* every row of a methodology version shares one validity window (``valid_from``..``valid_to``);
  a rule change mid-way is a new version, never an edited row;
* windows of different versions never overlap, so a date selects at most one version;
* ``target_rate`` is set exactly for the ``capped_target`` formula;
* ``informational`` indicators carry 0 points and every other formula carries more than 0;
* a ``composite`` indicator is the sum of terms (thành phần) listed in the seed
  ``decision_766_indicator_terms.csv``, whose maxima add up to the indicator's maximum; no other
  formula has terms.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

__all__ = [
    "DEFAULT_INDICATOR_CSV",
    "DEFAULT_TERMS_CSV",
    "Formula",
    "Indicator",
    "IndicatorSet",
    "IndicatorTable",
    "IndicatorTableError",
    "NoMethodologyForDateError",
    "Scope",
    "Term",
    "UnitKind",
    "UnknownMethodologyVersionError",
    "default_table",
    "indicator_version",
    "indicators_for",
    "load_indicator_table",
]

# src/motcua/scoring/indicators.py -> parents[3] is the repository root. This only works from a
# source checkout; an installed wheel must pass the path explicitly (or ship the seed as data).
DEFAULT_INDICATOR_CSV = (
    Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "scoring" / "decision_766_indicators.csv"
)

DEFAULT_TERMS_CSV = DEFAULT_INDICATOR_CSV.with_name("decision_766_indicator_terms.csv")

_COLUMNS = (
    "methodology_version",
    "indicator_code",
    "group_code",
    "indicator_name_vi",
    "indicator_name_en",
    "max_points",
    "scope",
    "formula",
    "target_rate",
    "valid_from",
    "valid_to",
)
_TERM_COLUMNS = (
    "methodology_version",
    "indicator_code",
    "term_code",
    "term_name_vi",
    "term_name_en",
    "max_points",
    "numerator_counters",
    "denominator_counter",
    "target_rate",
)
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_COUNTER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class Formula(StrEnum):
    """How an indicator turns a rate into points (công thức tính điểm)."""

    PROPORTIONAL = "proportional"  # max x rate; 0 points when the denominator is 0
    CAPPED_TARGET = "capped_target"  # min(max, max x rate / target_rate)
    ZERO_DENOMINATOR_FULL = "zero_denominator_full"  # max x rate; full points when nothing to handle
    STATED_RATIO_FALLBACK = "stated_ratio_fallback"  # min(max, max x rate); rate often only stated
    INFORMATIONAL = "informational"  # tracked, never scored (chỉ theo dõi)
    PORTAL_ONLY = "portal_only"  # no public formula; Motcua estimates max x rate
    COMPOSITE = "composite"  # sum of terms, each scored from the portal's named counters (see Term)


class Scope(StrEnum):
    """Which unit kinds an indicator applies to (phạm vi áp dụng)."""

    ALL = "all"
    AGENCY = "agency"
    COMMUNE = "commune"


class UnitKind(StrEnum):
    """Kind of scored unit: provincial agency (sở, ban, ngành) or commune (xã, phường)."""

    AGENCY = "agency"
    COMMUNE = "commune"

    @classmethod
    def parse(cls, value: str | UnitKind) -> UnitKind:
        """Accept ``agency``/``commune`` in any case, including the portal's ``AGENCY``/``COMMUNE``."""
        if isinstance(value, UnitKind):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"unknown unit kind {value!r}: expected 'agency' or 'commune'") from None


class IndicatorTableError(ValueError):
    """The indicator CSV is malformed or inconsistent."""


class UnknownMethodologyVersionError(LookupError):
    """A methodology version was asked for that the table does not contain."""


class NoMethodologyForDateError(LookupError):
    """No methodology version is valid on the requested date (before the first one, or a gap)."""


@dataclass(frozen=True)
class Term:
    """One term (thành phần) of a composite indicator, scored from the portal's named counters.

    rate = sum(numerator counters) / denominator counter; points = ``max x rate`` when
    ``target_rate`` is None, else ``min(max, max x rate / target_rate)``. ONLINE's first term, for
    instance, is ``min(2, 2 x (partialCount + fullCount) / authorityCount / 0.80)``.
    """

    code: str
    name_vi: str
    name_en: str
    max_points: Decimal
    numerator_counters: tuple[str, ...]
    denominator_counter: str
    target_rate: Decimal | None

    @property
    def counters(self) -> tuple[str, ...]:
        """Every counter the term reads, numerators first."""
        return (*self.numerator_counters, self.denominator_counter)


@dataclass(frozen=True)
class Indicator:
    """One indicator (chỉ số) of one methodology version."""

    methodology_version: str
    code: str
    group_code: str
    name_vi: str
    name_en: str
    max_points: Decimal
    scope: Scope
    formula: Formula
    target_rate: Decimal | None
    valid_from: date
    valid_to: date | None  # inclusive; None means still in force
    terms: tuple[Term, ...] = ()  # composite indicators only

    @property
    def counter_names(self) -> tuple[str, ...]:
        """The portal counters a composite indicator reads, in term order, each once."""
        return tuple(dict.fromkeys(name for term in self.terms for name in term.counters))

    def is_valid_on(self, on: date) -> bool:
        """True when ``on`` falls inside this row's validity window (both ends inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies_to(self, unit_kind: UnitKind | str) -> bool:
        """True when the indicator is scored for this unit kind; otherwise the unit gets full points."""
        return self.scope is Scope.ALL or self.scope.value == UnitKind.parse(unit_kind).value


@dataclass(frozen=True)
class IndicatorSet:
    """All indicators of one methodology version, in table order."""

    methodology_version: str
    valid_from: date
    valid_to: date | None
    indicators: tuple[Indicator, ...]

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, code: object) -> bool:
        return any(ind.code == code for ind in self.indicators)

    def get(self, code: str) -> Indicator | None:
        """The indicator with this code, or None when this version does not have it."""
        return next((ind for ind in self.indicators if ind.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        """Indicator codes in table order."""
        return tuple(ind.code for ind in self.indicators)

    @property
    def group_codes(self) -> tuple[str, ...]:
        """Group codes (nhóm chỉ số) in order of first appearance."""
        return tuple(dict.fromkeys(ind.group_code for ind in self.indicators))

    def group_max(self, group_code: str) -> Decimal:
        """Maximum points of a group: the sum of its indicators' maxima."""
        return sum((ind.max_points for ind in self.indicators if ind.group_code == group_code), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        """Maximum total score of this version (100 for 766-2025)."""
        return sum((ind.max_points for ind in self.indicators), Decimal(0))


@dataclass(frozen=True)
class IndicatorTable:
    """Every row of the indicator CSV, across methodology versions."""

    rows: tuple[Indicator, ...]

    def versions(self) -> tuple[IndicatorSet, ...]:
        """One IndicatorSet per methodology version, ordered by ``valid_from``."""
        by_version: dict[str, list[Indicator]] = {}
        for row in self.rows:
            by_version.setdefault(row.methodology_version, []).append(row)
        sets = [
            IndicatorSet(name, rows[0].valid_from, rows[0].valid_to, tuple(rows)) for name, rows in by_version.items()
        ]
        return tuple(sorted(sets, key=lambda s: s.valid_from))

    def version(self, methodology_version: str) -> IndicatorSet:
        """The indicators of one named version; raises UnknownMethodologyVersionError."""
        for indicator_set in self.versions():
            if indicator_set.methodology_version == methodology_version:
                return indicator_set
        known = ", ".join(s.methodology_version for s in self.versions()) or "none"
        raise UnknownMethodologyVersionError(
            f"unknown Decision 766 methodology version {methodology_version!r}; known versions: {known}"
        )

    def for_date(self, on: date) -> IndicatorSet:
        """The version valid on ``on``; raises NoMethodologyForDateError before the first or in a gap."""
        matches = [s for s in self.versions() if s.indicators[0].is_valid_on(on)]
        if not matches:
            raise NoMethodologyForDateError(
                f"no Decision 766 methodology version is valid on {on.isoformat()}; "
                f"known versions: {_describe_windows(self.versions())}"
            )
        # Overlaps are rejected at load time, so there is exactly one match here.
        return matches[0]


def _iso_or_open(day: date | None) -> str:
    return day.isoformat() if day else "open"


def _describe_windows(sets: tuple[IndicatorSet, ...]) -> str:
    if not sets:
        return "none"
    return ", ".join(f"{s.methodology_version} ({s.valid_from.isoformat()}..{_iso_or_open(s.valid_to)})" for s in sets)


def _parse_date(value: str, where: str, column: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise IndicatorTableError(f"{where}: {column} {value!r} is not a YYYY-MM-DD date") from None


def _parse_decimal(value: str, where: str, column: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise IndicatorTableError(f"{where}: {column} {value!r} is not a number") from None
    if not number.is_finite():
        raise IndicatorTableError(f"{where}: {column} {value!r} is not a finite number")
    return number


def _parse_row(raw: dict[str, str], line: int) -> Indicator:
    values = {key: (raw.get(key) or "").strip() for key in _COLUMNS}
    where = f"indicator CSV line {line} ({values['methodology_version']}/{values['indicator_code']})"
    for column in ("methodology_version", "indicator_code", "group_code", "max_points", "scope", "formula"):
        if not values[column]:
            raise IndicatorTableError(f"{where}: {column} is empty")
    for column in ("indicator_code", "group_code"):
        if not _CODE_RE.match(values[column]):
            raise IndicatorTableError(f"{where}: {column} {values[column]!r} must be UPPER_SNAKE_CASE")
    try:
        scope = Scope(values["scope"])
    except ValueError:
        raise IndicatorTableError(
            f"{where}: scope {values['scope']!r} is not one of {', '.join(s.value for s in Scope)}"
        ) from None
    try:
        formula = Formula(values["formula"])
    except ValueError:
        raise IndicatorTableError(
            f"{where}: formula {values['formula']!r} is not one of {', '.join(f.value for f in Formula)}"
        ) from None

    max_points = _parse_decimal(values["max_points"], where, "max_points")
    if formula is Formula.INFORMATIONAL and max_points != 0:
        raise IndicatorTableError(f"{where}: informational indicators must have max_points 0")
    if formula is not Formula.INFORMATIONAL and max_points <= 0:
        raise IndicatorTableError(f"{where}: max_points must be > 0 for formula {formula.value}")

    target_rate: Decimal | None = None
    if formula is Formula.CAPPED_TARGET:
        if not values["target_rate"]:
            raise IndicatorTableError(f"{where}: capped_target needs a target_rate")
        target_rate = _parse_decimal(values["target_rate"], where, "target_rate")
        if not Decimal(0) < target_rate <= Decimal(1):
            raise IndicatorTableError(f"{where}: target_rate {target_rate} must be in (0, 1]")
    elif values["target_rate"]:
        raise IndicatorTableError(f"{where}: target_rate must be blank unless formula is capped_target")

    if not values["valid_from"]:
        raise IndicatorTableError(f"{where}: valid_from is empty")
    valid_from = _parse_date(values["valid_from"], where, "valid_from")
    valid_to = _parse_date(values["valid_to"], where, "valid_to") if values["valid_to"] else None
    if valid_to is not None and valid_to < valid_from:
        raise IndicatorTableError(f"{where}: valid_to {valid_to} is before valid_from {valid_from}")

    return Indicator(
        methodology_version=values["methodology_version"],
        code=values["indicator_code"],
        group_code=values["group_code"],
        name_vi=values["indicator_name_vi"],
        name_en=values["indicator_name_en"],
        max_points=max_points,
        scope=scope,
        formula=formula,
        target_rate=target_rate,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _check_consistency(rows: tuple[Indicator, ...]) -> None:
    seen: set[tuple[str, str]] = set()
    windows: dict[str, tuple[date, date | None]] = {}
    for row in rows:
        key = (row.methodology_version, row.code)
        if key in seen:
            raise IndicatorTableError(f"indicator {row.code} appears twice in version {row.methodology_version}")
        seen.add(key)
        window = (row.valid_from, row.valid_to)
        first = windows.setdefault(row.methodology_version, window)
        if first != window:
            raise IndicatorTableError(
                f"version {row.methodology_version}: indicator {row.code} is valid "
                f"{window[0]}..{_iso_or_open(window[1])} but the version's first row is valid "
                f"{first[0]}..{_iso_or_open(first[1])}; a version must have one validity window"
            )
    ordered = sorted(windows.items(), key=lambda item: item[1][0])
    for (name_a, (_, to_a)), (name_b, (from_b, _)) in itertools.pairwise(ordered):
        if to_a is None or to_a >= from_b:
            raise IndicatorTableError(
                f"methodology versions {name_a} and {name_b} overlap: {name_a} ends "
                f"{to_a.isoformat() if to_a else 'never'}, {name_b} starts {from_b.isoformat()}"
            )


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise IndicatorTableError(f"{path}: missing columns {', '.join(missing)}")
        # Line 1 is the header, so data rows start at line 2.
        return list(enumerate(reader, start=2))


def _parse_term(raw: dict[str, str], line: int) -> tuple[tuple[str, str], Term]:
    values = {key: (raw.get(key) or "").strip() for key in _TERM_COLUMNS}
    where = f"indicator terms CSV line {line} ({values['methodology_version']}/{values['indicator_code']}"
    where += f"/{values['term_code']})"
    for column in ("methodology_version", "indicator_code", "term_code", "max_points", "numerator_counters"):
        if not values[column]:
            raise IndicatorTableError(f"{where}: {column} is empty")
    if not values["denominator_counter"]:
        raise IndicatorTableError(f"{where}: denominator_counter is empty")
    if not _CODE_RE.match(values["term_code"]):
        raise IndicatorTableError(f"{where}: term_code {values['term_code']!r} must be UPPER_SNAKE_CASE")
    numerators = tuple(name.strip() for name in values["numerator_counters"].split("+"))
    for name in (*numerators, values["denominator_counter"]):
        if not _COUNTER_RE.match(name):
            raise IndicatorTableError(f"{where}: {name!r} is not a counter name (numerators are joined by '+')")
    max_points = _parse_decimal(values["max_points"], where, "max_points")
    if max_points <= 0:
        raise IndicatorTableError(f"{where}: max_points must be > 0")
    target_rate = None
    if values["target_rate"]:
        target_rate = _parse_decimal(values["target_rate"], where, "target_rate")
        if not Decimal(0) < target_rate <= Decimal(1):
            raise IndicatorTableError(f"{where}: target_rate {target_rate} must be in (0, 1]")
    term = Term(
        code=values["term_code"],
        name_vi=values["term_name_vi"],
        name_en=values["term_name_en"],
        max_points=max_points,
        numerator_counters=numerators,
        denominator_counter=values["denominator_counter"],
        target_rate=target_rate,
    )
    return (values["methodology_version"], values["indicator_code"]), term


def _attach_terms(rows: tuple[Indicator, ...], terms_path: Path | None) -> tuple[Indicator, ...]:
    terms: dict[tuple[str, str], list[Term]] = {}
    if terms_path is not None:
        for line, raw in _read_csv(terms_path, _TERM_COLUMNS):
            key, term = _parse_term(raw, line)
            if any(t.code == term.code for t in terms.get(key, ())):
                raise IndicatorTableError(f"{terms_path} line {line}: term {term.code} of {key[1]} appears twice")
            terms.setdefault(key, []).append(term)
    attached = []
    for row in rows:
        own = tuple(terms.pop((row.methodology_version, row.code), ()))
        where = f"indicator {row.methodology_version}/{row.code}"
        if row.formula is Formula.COMPOSITE:
            if not own:
                raise IndicatorTableError(f"{where} is composite but the terms CSV lists no term for it")
            total = sum((t.max_points for t in own), Decimal(0))
            if total != row.max_points:
                raise IndicatorTableError(
                    f"{where}: its terms' max_points add up to {total}, not to the indicator's {row.max_points}"
                )
        elif own:
            raise IndicatorTableError(f"{where} has terms but its formula is {row.formula.value}, not composite")
        attached.append(dataclasses.replace(row, terms=own))
    if terms:
        orphans = ", ".join(f"{version}/{code}" for version, code in sorted(terms))
        raise IndicatorTableError(f"the terms CSV lists terms of indicators the table does not have: {orphans}")
    return tuple(attached)


def load_indicator_table(path: Path | str | None = None, terms_path: Path | str | None = None) -> IndicatorTable:
    """Read and validate the Decision 766 indicator CSV (bảng chỉ số 766 theo phiên bản).

    ``path`` defaults to the dbt seed in this repository, and then ``terms_path`` (the composite
    indicators' terms) defaults to its sibling seed; a table read from another ``path`` has terms
    only when ``terms_path`` is given. Raises IndicatorTableError naming the line and column of
    the first problem.
    """
    csv_path = Path(path) if path is not None else DEFAULT_INDICATOR_CSV
    if terms_path is None and path is None:
        terms_path = DEFAULT_TERMS_CSV
    rows = tuple(_parse_row(raw, line) for line, raw in _read_csv(csv_path, _COLUMNS))
    if not rows:
        raise IndicatorTableError(f"{csv_path}: no indicator rows")
    _check_consistency(rows)
    return IndicatorTable(_attach_terms(rows, Path(terms_path) if terms_path is not None else None))


@functools.cache
def default_table() -> IndicatorTable:
    """The repository's indicator table, loaded once per process."""
    return load_indicator_table()


def indicators_for(on: date, table: IndicatorTable | None = None) -> IndicatorSet:
    """The indicator set of the methodology version valid on ``on`` (ngày áp dụng).

    Use the last day of the scored period. Raises NoMethodologyForDateError when no version covers
    the date, with the known validity windows in the message.
    """
    return (table or default_table()).for_date(on)


def indicator_version(methodology_version: str, table: IndicatorTable | None = None) -> IndicatorSet:
    """The indicator set of a named version, e.g. ``"766-2025"``; raises UnknownMethodologyVersionError."""
    return (table or default_table()).version(methodology_version)
