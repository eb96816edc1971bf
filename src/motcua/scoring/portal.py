"""Parser for the national portal's Decision 766 evaluation feed (Cổng DVCQG, đánh giá 766).

One response covers one province and one period and lists its child units (sở, ban, ngành
and xã, phường). Each record becomes:

* flat rows, one per unit x indicator, carrying the official points as published;
* a mapping indicator code -> Counters that feeds :func:`motcua.scoring.engine.score_unit`,
  the same engine that scores Motcua's own counters.

Conventions of the feed this parser relies on:

* every ``ratio`` is a percentage (0-100): the portal's CKMB points equal ``maxScore x ratio /
  100``. Rows keep it as published (``ratio_percent``); Counters get it as a fraction 0..1.
* ``numerator``/``denominator`` and ``score`` may be null (e.g. classification metrics have
  ``maxScore`` 0 and ``score`` null); null stays None and is never turned into 0.

Nothing is dropped: a metric code the methodology version does not know is kept as a row with
``known_indicator=False`` and announced with :class:`UnknownIndicatorWarning`. A record that
cannot be read (no ``departmentCode``, a score that is not a number, ...) raises
:class:`MalformedRecordError` naming the unit and the field, so the caller can quarantine it.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from motcua.scoring.engine import Counters, UnitScore, score_unit
from motcua.scoring.indicators import IndicatorSet, UnitKind

__all__ = [
    "CHILD_GROUPS",
    "PORTAL_RATIO_SCALE",
    "SECTION_GROUPS",
    "MalformedRecordError",
    "PortalEvaluation",
    "PortalFormatError",
    "PortalRow",
    "PortalSchemaWarning",
    "PortalUnit",
    "Recomputation",
    "RecomputedGroup",
    "RecomputedIndicator",
    "RejectedRecord",
    "UnknownIndicatorWarning",
    "parse_evaluation",
    "parse_unit",
    "recompute",
]

PORTAL_RATIO_SCALE = Decimal(100)  # the portal publishes ratios as percentages

# componentIndicators section -> group code. ONLINE is DVCTT (dịch vụ công trực tuyến); see docs/decision_766.md.
SECTION_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        "CKMB_CongKhaiMinhBach": "CKMB",
        "TDGQ_TienDoGiaiQuyet": "TDGQ",
        "ONLINE_DichVuTrucTuyen": "ONLINE",
        "TTTT_ThanhToanTrucTuyen": "TTTT",
        "MDSH_SoHoaHoSo": "MDSH",
        "MDHL_MucDoHaiLong": "MDHL",
    }
)

# Sections without a metrics list are one indicator each: (indicator code, numerator, denominator).
_SINGLE_INDICATOR_SECTIONS: Mapping[str, tuple[str, str | None, str | None]] = MappingProxyType(
    {
        "TDGQ_TienDoGiaiQuyet": ("TDGQ", "totalOnTime", "totalReceived"),
        "ONLINE_DichVuTrucTuyen": ("ONLINE", None, None),
        "TTTT_ThanhToanTrucTuyen": (
            "TTTT",
            "totalDossierOnlinePaymentSuccess",
            "totalDossierFinancialObligation",
        ),
    }
)

# Numeric section fields that are not points but are worth keeping (PortalUnit.extras).
_SECTION_EXTRAS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "TDGQ_TienDoGiaiQuyet": ("totalOverdue", "avgProcessingDays"),
        "MDHL_MucDoHaiLong": ("totalPetitions", "totalDossiers"),
        "TTTT_ThanhToanTrucTuyen": ("totalDossierOnlineFormalityPaymentSuccess", "totalFeeFormality"),
    }
)

# PROVINCE is the province's own node in the portal's API trees (the only one with ONLINE
# counters). It is scored like an agency: no indicator of a known methodology depends on the kind.
CHILD_GROUPS: Mapping[str, UnitKind] = MappingProxyType(
    {"AGENCY": UnitKind.AGENCY, "COMMUNE": UnitKind.COMMUNE, "PROVINCE": UnitKind.AGENCY}
)


class PortalFormatError(ValueError):
    """The response as a whole cannot be read (not JSON, no list of records)."""


class MalformedRecordError(PortalFormatError):
    """One child-unit record cannot be read; quarantine it and keep the others.

    ``unit`` identifies the record (departmentCode, else departmentId/departmentName, else its
    position); ``field`` is the JSON path of the offending value.
    """

    def __init__(self, unit: str, field: str, problem: str, value: object = None) -> None:
        self.unit = unit
        self.field = field
        self.problem = problem
        self.value = value
        super().__init__(f"portal record for unit {unit}: field {field} {problem} (got {value!r})")


class UnknownIndicatorWarning(UserWarning):
    """The feed carries an indicator code the methodology version does not know (kept as a row)."""


class PortalSchemaWarning(UserWarning):
    """The feed's shape differs from what the parser expects, without making the record unreadable."""


@dataclass(frozen=True)
class PortalRow:
    """One unit x indicator as published by the portal."""

    unit_code: str  # departmentCode, e.g. "H41.123"
    department_id: str | None
    department_name: str | None
    child_group: str  # AGENCY or COMMUNE
    indicator_code: str
    group_code: str
    indicator_name: str | None  # the metric's own name in the feed, when it has one
    numerator: Decimal | None
    denominator: Decimal | None
    ratio_percent: Decimal | None  # as published, 0-100
    official_points: Decimal | None
    official_max_points: Decimal | None
    data_quality_status: str | None
    data_quality_message: str | None
    known_indicator: bool


@dataclass(frozen=True)
class PortalUnit:
    """One child-unit record of the evaluation feed, parsed."""

    unit_code: str
    department_id: str | None
    department_name: str | None
    child_group: str
    unit_kind: UnitKind
    total_score: Decimal | None
    ratio_percent: Decimal | None
    rank: int | None
    group_rank: int | None
    group_scores: Mapping[str, Decimal | None]
    rows: tuple[PortalRow, ...]
    counters: Mapping[str, Counters]  # known indicators only; feed to score_unit
    extras: Mapping[str, Any]  # "section.field" -> value for non-point fields (totalOverdue, ...)
    methodology_version: str


@dataclass(frozen=True)
class RejectedRecord:
    """A record set aside by :func:`parse_evaluation` in quarantine mode."""

    index: int
    unit: str
    error: MalformedRecordError
    record: Any


@dataclass(frozen=True)
class PortalEvaluation:
    """All parsed units of one response, plus quarantined records."""

    methodology_version: str
    units: tuple[PortalUnit, ...]
    rejected: tuple[RejectedRecord, ...] = ()

    @property
    def rows(self) -> tuple[PortalRow, ...]:
        """Flat rows of every unit."""
        return tuple(row for unit in self.units for row in unit.rows)


# --- value readers ---------------------------------------------------------------------------


def _unit_label(record: Mapping[str, Any], index: int | None = None) -> str:
    for key in ("departmentCode", "departmentId", "departmentName"):
        value = record.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return f"record #{index}" if index is not None else "record (no departmentCode)"


def _number(value: object, unit: str, path: str) -> Decimal | None:
    """JSON number -> Decimal; None stays None; anything else (strings, booleans) is malformed."""
    if value is None:
        return None
    # bool is an int subclass in Python; true/false in a score field is a schema error, not 1/0.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise MalformedRecordError(unit, path, "is not a number", value)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise MalformedRecordError(unit, path, "is not a finite number", value)
    return number


def _count(value: object, unit: str, path: str) -> Decimal | None:
    number = _number(value, unit, path)
    if number is not None and number < 0:
        raise MalformedRecordError(unit, path, "is negative", value)
    return number


def _integer(value: object, unit: str, path: str) -> int | None:
    number = _number(value, unit, path)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise MalformedRecordError(unit, path, "is not a whole number", value)
    return int(number)


def _text(value: object, unit: str, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedRecordError(unit, path, "is not text", value)
    return str(value)


def _mapping(value: object, unit: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedRecordError(unit, path, "is missing or not an object", value)
    return value


def _stated_ratio(ratio_percent: Decimal | None) -> Decimal | None:
    return None if ratio_percent is None else ratio_percent / PORTAL_RATIO_SCALE


# --- record parsing --------------------------------------------------------------------------


class _UnitBuilder:
    """Collects rows and counters of one record; keeps the shared context out of every call."""

    def __init__(self, unit: str, record: Mapping[str, Any], child_group: str, indicators: IndicatorSet):
        self.unit = unit
        self.indicators = indicators
        self.department_id = _text(record.get("departmentId"), unit, "departmentId")
        self.department_name = _text(record.get("departmentName"), unit, "departmentName")
        self.child_group = child_group
        self.rows: list[PortalRow] = []
        self.counters: dict[str, Counters] = {}
        self.extras: dict[str, Any] = {}

    def add(
        self,
        *,
        section: str,
        group_code: str,
        code: str,
        name: str | None,
        numerator: Decimal | None,
        denominator: Decimal | None,
        ratio_percent: Decimal | None,
        points: Decimal | None,
        max_points: Decimal | None,
        dq_status: str | None = None,
        dq_message: str | None = None,
        parts: Mapping[str, Decimal | None] | None = None,
    ) -> None:
        indicator = self.indicators.get(code)
        known = indicator is not None
        if indicator is None:
            warnings.warn(
                f"unknown Decision 766 indicator code {code!r} in {section} for unit {self.unit} "
                f"(methodology {self.indicators.methodology_version}); kept as a row with "
                "known_indicator=False and not scored",
                UnknownIndicatorWarning,
                stacklevel=4,
            )
        elif indicator.group_code != group_code:
            warnings.warn(
                f"indicator {code} appears in {section} for unit {self.unit} but belongs to group "
                f"{indicator.group_code} in methodology {self.indicators.methodology_version}",
                PortalSchemaWarning,
                stacklevel=4,
            )
        if known:
            if code in self.counters:
                warnings.warn(
                    f"indicator {code} appears twice for unit {self.unit}; both rows kept, "
                    "the first one's counters are scored",
                    PortalSchemaWarning,
                    stacklevel=4,
                )
            else:
                self.counters[code] = Counters(numerator, denominator, _stated_ratio(ratio_percent), parts or {})
        self.rows.append(
            PortalRow(
                unit_code=self.unit,
                department_id=self.department_id,
                department_name=self.department_name,
                child_group=self.child_group,
                indicator_code=code,
                group_code=group_code,
                indicator_name=name,
                numerator=numerator,
                denominator=denominator,
                ratio_percent=ratio_percent,
                official_points=points,
                official_max_points=max_points,
                data_quality_status=dq_status,
                data_quality_message=dq_message,
                known_indicator=known,
            )
        )

    def add_metrics_section(self, section: str, group_code: str, body: Mapping[str, Any]) -> None:
        metrics = body.get("metrics")
        if metrics is None:
            metrics = []
        if not isinstance(metrics, list):
            path = f"componentIndicators.{section}.metrics"
            raise MalformedRecordError(self.unit, path, "is not a list", metrics)
        for position, raw in enumerate(metrics):
            path = f"componentIndicators.{section}.metrics[{position}]"
            metric = _mapping(raw, self.unit, path)
            code = metric.get("code")
            if not isinstance(code, str) or not code.strip():
                raise MalformedRecordError(self.unit, f"{path}.code", "is missing or empty", code)
            self.add(
                section=section,
                group_code=group_code,
                code=code.strip(),
                name=_text(metric.get("name"), self.unit, f"{path}.name"),
                numerator=_count(metric.get("numerator"), self.unit, f"{path}.numerator"),
                denominator=_count(metric.get("denominator"), self.unit, f"{path}.denominator"),
                ratio_percent=_number(metric.get("ratio"), self.unit, f"{path}.ratio"),
                points=_number(metric.get("score"), self.unit, f"{path}.score"),
                max_points=_number(metric.get("maxScore"), self.unit, f"{path}.maxScore"),
                dq_status=_text(metric.get("dataQualityStatus"), self.unit, f"{path}.dataQualityStatus"),
                dq_message=_text(metric.get("dataQualityMessage"), self.unit, f"{path}.dataQualityMessage"),
            )

    def add_single_section(
        self,
        section: str,
        group_code: str,
        code: str,
        body: Mapping[str, Any],
        numerator_key: str | None,
        denominator_key: str | None,
    ) -> None:
        path = f"componentIndicators.{section}"
        numerator = _count(body.get(numerator_key), self.unit, f"{path}.{numerator_key}") if numerator_key else None
        denominator = (
            _count(body.get(denominator_key), self.unit, f"{path}.{denominator_key}") if denominator_key else None
        )
        indicator = self.indicators.get(code)
        # A composite indicator's named counters, where the record carries them; an absent one
        # stays absent so that the engine says the indicator cannot be recomputed.
        parts = {
            name: _count(body[name], self.unit, f"{path}.{name}")
            for name in (indicator.counter_names if indicator else ())
            if name in body
        }
        self.add(
            section=section,
            group_code=group_code,
            code=code,
            name=None,
            numerator=numerator,
            denominator=denominator,
            ratio_percent=_number(body.get("ratio"), self.unit, f"{path}.ratio"),
            points=_number(body.get("score"), self.unit, f"{path}.score"),
            max_points=_number(body.get("maxScore"), self.unit, f"{path}.maxScore"),
            parts=parts,
        )

    def keep_extras(self, section: str, body: Mapping[str, Any]) -> None:
        consumed = {"score", "maxScore", "ratio", "metrics"}
        single = _SINGLE_INDICATOR_SECTIONS.get(section)
        if single:
            consumed.update(key for key in single[1:] if key)
        validated = set(_SECTION_EXTRAS.get(section, ()))
        for key, value in body.items():
            if key in consumed:
                continue
            path = f"componentIndicators.{section}.{key}"
            # Documented extras must be numbers; fields nobody told us about are kept as published.
            self.extras[f"{section}.{key}"] = _number(value, self.unit, path) if key in validated else value


def parse_unit(record: Mapping[str, Any], indicators: IndicatorSet, *, index: int | None = None) -> PortalUnit:
    """Parse one child-unit record of the evaluation feed (một đơn vị trong kết quả đánh giá).

    ``indicators`` is the methodology version of the period (see ``indicators_for``); it decides
    which codes are known. Raises MalformedRecordError for an unreadable record; warns with
    UnknownIndicatorWarning / PortalSchemaWarning for what is kept but unexpected.
    """
    if not isinstance(record, Mapping):
        raise MalformedRecordError(
            f"record #{index}" if index is not None else "record", "(record)", "is not an object", record
        )
    unit = _unit_label(record, index)

    code = record.get("departmentCode")
    if not isinstance(code, str) or not code.strip():
        raise MalformedRecordError(unit, "departmentCode", "is missing or empty", code)
    unit = code.strip()

    child_group_raw = record.get("childGroup")
    child_group = child_group_raw.strip().upper() if isinstance(child_group_raw, str) else None
    if child_group not in CHILD_GROUPS:
        raise MalformedRecordError(unit, "childGroup", f"must be one of {', '.join(CHILD_GROUPS)}", child_group_raw)

    group_scores_raw = _mapping(record.get("groupScores") or {}, unit, "groupScores")
    group_scores = {str(key): _number(value, unit, f"groupScores.{key}") for key, value in group_scores_raw.items()}

    builder = _UnitBuilder(unit, record, child_group, indicators)
    components = _mapping(record.get("componentIndicators"), unit, "componentIndicators")

    for section, group_code in SECTION_GROUPS.items():
        if section not in components:
            warnings.warn(
                f"unit {unit}: componentIndicators.{section} is missing; no {group_code} rows for this unit",
                PortalSchemaWarning,
                stacklevel=2,
            )
            continue
        body = _mapping(components[section], unit, f"componentIndicators.{section}")
        single = _SINGLE_INDICATOR_SECTIONS.get(section)
        if single:
            builder.add_single_section(section, group_code, single[0], body, single[1], single[2])
        else:
            builder.add_metrics_section(section, group_code, body)
        builder.keep_extras(section, body)

    for section, raw_body in components.items():
        if section in SECTION_GROUPS:
            continue
        # A section the parser does not know (a new group, a renamed one): keep what it says.
        body = _mapping(raw_body, unit, f"componentIndicators.{section}")
        group_code = str(section).split("_", 1)[0]
        if isinstance(body.get("metrics"), list):
            builder.add_metrics_section(section, group_code, body)
        else:
            builder.add_single_section(section, group_code, group_code, body, None, None)
        builder.keep_extras(section, body)

    return PortalUnit(
        unit_code=unit,
        department_id=builder.department_id,
        department_name=builder.department_name,
        child_group=child_group,
        unit_kind=CHILD_GROUPS[child_group],
        total_score=_number(record.get("totalScore"), unit, "totalScore"),
        ratio_percent=_number(record.get("ratio"), unit, "ratio"),
        rank=_integer(record.get("rank"), unit, "rank"),
        group_rank=_integer(record.get("groupRank"), unit, "groupRank"),
        group_scores=MappingProxyType(group_scores),
        rows=tuple(builder.rows),
        counters=MappingProxyType(builder.counters),
        extras=MappingProxyType(builder.extras),
        methodology_version=indicators.methodology_version,
    )


def _records(payload: str | bytes | list[Any] | Mapping[str, Any]) -> list[Any]:
    if isinstance(payload, str | bytes | bytearray):
        try:
            # Decimal keeps published values exact (5.4 stays 5.4, not 5.4000000000000003...).
            payload = json.loads(payload, parse_float=Decimal)
        except ValueError as exc:
            raise PortalFormatError(f"portal evaluation response is not valid JSON: {exc}") from exc
    if isinstance(payload, Mapping):
        payload = payload.get("data")
    if not isinstance(payload, list):
        raise PortalFormatError(
            "portal evaluation response must be a list of child-unit records or an object with a 'data' list"
        )
    return payload


def parse_evaluation(
    payload: str | bytes | list[Any] | Mapping[str, Any],
    indicators: IndicatorSet,
    *,
    quarantine: bool = False,
) -> PortalEvaluation:
    """Parse one evaluation response (one province, one period) into units, rows and counters.

    ``payload`` is the JSON text or its decoded form: a list of records or ``{"data": [...]}``.
    With ``quarantine=False`` the first malformed record raises MalformedRecordError; with
    ``quarantine=True`` malformed records are returned in ``rejected`` and the rest are parsed.
    """
    units: list[PortalUnit] = []
    rejected: list[RejectedRecord] = []
    for index, record in enumerate(_records(payload)):
        try:
            units.append(parse_unit(record, indicators, index=index))
        except MalformedRecordError as error:
            if not quarantine:
                raise
            rejected.append(RejectedRecord(index=index, unit=error.unit, error=error, record=record))
    return PortalEvaluation(indicators.methodology_version, tuple(units), tuple(rejected))


# --- recomputation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputedIndicator:
    """Official vs recomputed points of one unit x indicator."""

    unit_code: str
    indicator_code: str
    group_code: str
    known_indicator: bool
    official_points: Decimal | None
    recomputed_points: Decimal | None
    difference: Decimal | None  # recomputed - official; None when either side is missing
    official_max_points: Decimal | None
    max_points: Decimal | None
    is_estimate: bool  # recomputed points are Motcua's estimate: a difference is expected
    note: str


@dataclass(frozen=True)
class RecomputedGroup:
    """Official vs recomputed score of one unit x group."""

    unit_code: str
    group_code: str
    official_points: Decimal | None
    recomputed_points: Decimal | None
    difference: Decimal | None
    is_estimate: bool
    missing_counters: tuple[str, ...] = ()  # why recomputed_points is None, when it is

    @property
    def status(self) -> str:
        """``equal``, ``differs``, or why the group is kept out of the comparison.

        ``not recomputed`` (counters missing in the input), ``estimate`` (no public formula) and
        ``not published`` (no official score) are never counted as a pass or a failure.
        """
        if self.recomputed_points is None:
            return "not recomputed"
        if self.official_points is None:
            return "not published"
        if self.is_estimate:
            return "estimate"
        return "equal" if self.difference == 0 else "differs"

    @property
    def reason(self) -> str:
        """One line saying why the group is out of the comparison ("" when it is compared)."""
        status = self.status
        if status == "not recomputed":
            if self.missing_counters:
                return f"the input lacks {', '.join(self.missing_counters)}"
            return "the methodology does not know this group"
        if status == "estimate":
            return "the portal's formula for this group is not public: Motcua's figure is an estimate"
        if status == "not published":
            return "the record has no official score for this group"
        return ""


@dataclass(frozen=True)
class Recomputation:
    """Result of :func:`recompute` for one unit."""

    unit_code: str
    methodology_version: str
    indicators: tuple[RecomputedIndicator, ...]
    groups: tuple[RecomputedGroup, ...]
    official_total: Decimal | None
    recomputed_total: Decimal | None  # None when a group could not be recomputed
    total_difference: Decimal | None
    score: UnitScore
    unit_name: str | None = None
    child_group: str | None = None


def _difference(recomputed: Decimal | None, official: Decimal | None) -> Decimal | None:
    return None if recomputed is None or official is None else recomputed - official


def recompute(record: Mapping[str, Any] | PortalUnit, indicators: IndicatorSet) -> Recomputation:
    """Recompute a unit's points from the portal's own counters and compare with the official ones.

    A non-zero ``difference`` on an indicator that is not an estimate means the portal and
    Motcua's engine disagree on the rule or on rounding (đối chiếu điểm chính thức). The portal's
    figure stays the reference. Indicators of the methodology that the record lacks get a row
    with ``official_points=None``; unknown codes get a row with ``recomputed_points=None``.
    """
    unit = record if isinstance(record, PortalUnit) else parse_unit(record, indicators)
    score = score_unit(unit.counters, unit.unit_kind, indicators)

    rows: list[RecomputedIndicator] = []
    for row in unit.rows:
        if not row.known_indicator:
            rows.append(
                RecomputedIndicator(
                    unit_code=unit.unit_code,
                    indicator_code=row.indicator_code,
                    group_code=row.group_code,
                    known_indicator=False,
                    official_points=row.official_points,
                    recomputed_points=None,
                    difference=None,
                    official_max_points=row.official_max_points,
                    max_points=None,
                    is_estimate=False,
                    note=f"unknown to methodology {indicators.methodology_version}: not recomputed",
                )
            )
            continue
        scored = score.indicator(row.indicator_code)
        rows.append(
            RecomputedIndicator(
                unit_code=unit.unit_code,
                indicator_code=row.indicator_code,
                group_code=scored.group,
                known_indicator=True,
                official_points=row.official_points,
                recomputed_points=scored.points,
                difference=_difference(scored.points, row.official_points),
                official_max_points=row.official_max_points,
                max_points=scored.max_points,
                is_estimate=scored.is_estimate,
                note=scored.note,
            )
        )
    published = {row.indicator_code for row in unit.rows}
    for scored in score.indicators:
        if scored.code not in published:
            rows.append(
                RecomputedIndicator(
                    unit_code=unit.unit_code,
                    indicator_code=scored.code,
                    group_code=scored.group,
                    known_indicator=True,
                    official_points=None,
                    recomputed_points=scored.points,
                    difference=None,
                    official_max_points=None,
                    max_points=scored.max_points,
                    is_estimate=scored.is_estimate,
                    note="; ".join(filter(None, ["absent from the portal record", scored.note])),
                )
            )

    groups: list[RecomputedGroup] = []
    # Groups of the methodology first, then any group the portal publishes that it does not know.
    extra_groups = [g for g in unit.group_scores if g not in indicators.group_codes]
    group_codes = [*indicators.group_codes, *extra_groups]
    for group_code in group_codes:
        official = unit.group_scores.get(group_code)
        recomputed_group = next((g for g in score.groups if g.group == group_code), None)
        recomputed_points = recomputed_group.points if recomputed_group else None
        groups.append(
            RecomputedGroup(
                unit_code=unit.unit_code,
                group_code=group_code,
                official_points=official,
                recomputed_points=recomputed_points,
                difference=_difference(recomputed_points, official),
                is_estimate=bool(recomputed_group and recomputed_group.is_estimate),
                missing_counters=recomputed_group.missing_counters if recomputed_group else (),
            )
        )

    return Recomputation(
        unit_code=unit.unit_code,
        methodology_version=indicators.methodology_version,
        indicators=tuple(rows),
        groups=tuple(groups),
        official_total=unit.total_score,
        recomputed_total=score.total,
        total_difference=_difference(score.total, unit.total_score),
        score=score,
        unit_name=unit.department_name,
        child_group=unit.child_group,
    )
