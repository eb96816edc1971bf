"""Decision 766 scoring (chấm điểm Bộ chỉ số 766/QĐ-TTg).

* :mod:`motcua.scoring.indicators`: the versioned indicator table (dbt seed
  ``decision_766_indicators.csv``) and selection of the version valid on a date.
* :mod:`motcua.scoring.engine`: the one scoring implementation, used for the portal's counters
  and for Motcua's own.
* :mod:`motcua.scoring.portal`: parser for the national portal's evaluation feed and
  recomputation of its official points.
"""

from motcua.scoring.engine import (
    Counters,
    GroupScore,
    ScoredIndicator,
    ScoringInputError,
    UnitScore,
    round_points,
    score_indicator,
    score_unit,
)
from motcua.scoring.indicators import (
    Formula,
    Indicator,
    IndicatorSet,
    IndicatorTable,
    IndicatorTableError,
    NoMethodologyForDateError,
    Scope,
    UnitKind,
    UnknownMethodologyVersionError,
    indicator_version,
    indicators_for,
    load_indicator_table,
)
from motcua.scoring.portal import (
    MalformedRecordError,
    PortalEvaluation,
    PortalFormatError,
    PortalRow,
    PortalSchemaWarning,
    PortalUnit,
    Recomputation,
    UnknownIndicatorWarning,
    parse_evaluation,
    parse_unit,
    recompute,
)

__all__ = [
    "Counters",
    "Formula",
    "GroupScore",
    "Indicator",
    "IndicatorSet",
    "IndicatorTable",
    "IndicatorTableError",
    "MalformedRecordError",
    "NoMethodologyForDateError",
    "PortalEvaluation",
    "PortalFormatError",
    "PortalRow",
    "PortalSchemaWarning",
    "PortalUnit",
    "Recomputation",
    "Scope",
    "ScoredIndicator",
    "ScoringInputError",
    "UnitKind",
    "UnitScore",
    "UnknownIndicatorWarning",
    "UnknownMethodologyVersionError",
    "indicator_version",
    "indicators_for",
    "load_indicator_table",
    "parse_evaluation",
    "parse_unit",
    "recompute",
    "round_points",
    "score_indicator",
    "score_unit",
]
