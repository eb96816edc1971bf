"""The scoring step: score the portal's counters and Motcua's own with the one engine.

Reads the latest portal evaluation records from ``raw.portal_evaluations`` and Motcua's own
counters from the dbt model ``intermediate.int_scorecard_766_own_counters``, scores both with
:func:`motcua.scoring.engine.score_unit`, and replaces the period's rows of
``scoring.indicator_scores``. A running period's snapshot day is scored the same way, from that
day's records and ``int_scorecard_766_own_counters_to_date``, into
``scoring.indicator_score_snapshots``. dbt reads both tables to build the reconciliation marts.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from datetime import date
from decimal import Decimal

import psycopg
from psycopg import sql

from motcua.landing.contracts import period_first_day
from motcua.scoring.engine import Counters, score_unit
from motcua.scoring.indicators import UnitKind, indicators_for
from motcua.scoring.portal import parse_evaluation, recompute

_COLUMNS = (
    "score_source, province_code, period_type, period, unit_code, child_group, methodology_version, "
    "indicator_code, group_code, known_indicator, numerator, denominator, ratio_percent, official_points, "
    "official_max_points, points, max_points, is_estimate, note, data_quality_status, data_quality_message"
)


def _replace(conn: psycopg.Connection, source: str, province: str, period: str, rows: list[tuple]) -> None:
    conn.execute(
        "delete from scoring.indicator_scores where score_source = %s and province_code = %s and period = %s",
        (source, province, period),
    )
    with conn.cursor().copy(f"copy scoring.indicator_scores ({_COLUMNS}) from stdin") as copy:
        for row in rows:
            copy.write_row(row)


def _landed_payloads(conn: psycopg.Connection, province: str, period: str, as_of: date | None = None) -> list[dict]:
    """The newest landed version of each unit's evaluation of ``period`` (of the snapshot day
    ``as_of`` when given: a running period's figures of that day)."""
    query = sql.SQL(
        """select distinct on (source_key) payload
           from raw.portal_evaluations
           where payload ->> '_province' = %s and payload ->> '_period' = %s{day}
           order by source_key, source_version desc"""
    ).format(day=sql.SQL(" and payload ->> '_as_of' = %s" if as_of else ""))
    params = (province, period, as_of.isoformat()) if as_of else (province, period)
    payloads = [payload for (payload,) in conn.execute(query, params)]
    if not payloads:
        # Scoring nothing would publish an empty period as if the province had no units.
        if as_of:
            raise ValueError(
                f"no portal snapshot of province {province}, period {period} is landed for {as_of}: "
                "the snapshot DAG lands the day's scores before scoring them"
            )
        raise ValueError(
            f"no portal evaluation is landed for province {province}, period {period}: "
            "pull it (or import a saved export) before scoring"
        )
    return payloads


def _own_counters(conn: psycopg.Connection, period_type: str, period: str, as_of: date | None = None):
    """Motcua's own counters of ``period`` from dbt: the closed period's, or the running period's
    through ``as_of`` when given."""
    relation = "int_scorecard_766_own_counters_to_date" if as_of else "int_scorecard_766_own_counters"
    query = sql.SQL(
        """select unit_code, child_group, indicator_code, numerator, denominator
           from {relation}
           where period_type = %s and period = %s{day}"""
    ).format(
        relation=sql.Identifier("intermediate", relation),
        day=sql.SQL(" and as_of_date = %s" if as_of else ""),
    )
    return conn.execute(query, (period_type, period, as_of) if as_of else (period_type, period))


def _portal_rows(payloads: list[dict], province: str, period_type: str, period: str) -> dict:
    """The engine's rows for the portal's records of one period: each unit's published figures
    with the points recomputed from its counters."""
    indicators = indicators_for(period_first_day(period))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluation = parse_evaluation(payloads, indicators, quarantine=True)
    rows = []
    for unit in evaluation.units:
        published = {row.indicator_code: row for row in unit.rows}
        for rec in recompute(unit, indicators).indicators:
            row = published.get(rec.indicator_code)
            rows.append(
                (
                    "portal",
                    province,
                    period_type,
                    period,
                    unit.unit_code,
                    unit.child_group,
                    indicators.methodology_version,
                    rec.indicator_code,
                    rec.group_code,
                    rec.known_indicator,
                    row.numerator if row else None,
                    row.denominator if row else None,
                    row.ratio_percent if row else None,
                    rec.official_points,
                    rec.official_max_points,
                    rec.recomputed_points,
                    rec.max_points,
                    rec.is_estimate,
                    rec.note,
                    row.data_quality_status if row else None,
                    row.data_quality_message if row else None,
                )
            )
    return {
        "rows": rows,
        "units": len(evaluation.units),
        "rejected": [r.unit for r in evaluation.rejected],
        "warnings": sorted({str(w.message) for w in caught}),
    }


def _own_rows(counter_rows, province: str, period_type: str, period: str) -> dict:
    """The engine's rows for Motcua's own counters of one period, from
    ``(unit_code, child_group, indicator_code, numerator, denominator)`` rows."""
    indicators = indicators_for(period_first_day(period))
    counters: dict[tuple[str, str], dict[str, Counters]] = defaultdict(dict)
    for unit_code, child_group, code, numerator, denominator in counter_rows:
        if code in indicators:
            counters[(unit_code, child_group)][code] = Counters(Decimal(numerator), Decimal(denominator))
    rows = []
    for (unit_code, child_group), unit_counters in counters.items():
        score = score_unit(unit_counters, UnitKind.parse(child_group), indicators)
        for s in score.indicators:
            if s.code not in unit_counters:
                continue  # only what the dossiers can tell; the rest is the portal's alone
            rows.append(
                (
                    "own",
                    province,
                    period_type,
                    period,
                    unit_code,
                    child_group,
                    indicators.methodology_version,
                    s.code,
                    s.group,
                    True,
                    s.numerator,
                    s.denominator,
                    None if s.rate is None else s.rate * 100,
                    None,
                    None,
                    s.points,
                    s.max_points,
                    s.is_estimate,
                    s.note,
                    None,
                    None,
                )
            )
    return {"rows": rows, "units": len(counters)}


def score_portal(conn: psycopg.Connection, province: str, period_type: str, period: str) -> dict:
    """Recompute the portal's points from its own counters for every unit of the period."""
    scored = _portal_rows(_landed_payloads(conn, province, period), province, period_type, period)
    _replace(conn, "portal", province, period, scored["rows"])
    return {**{k: v for k, v in scored.items() if k != "rows"}, "rows": len(scored["rows"])}


def score_own(conn: psycopg.Connection, province: str, period_type: str, period: str) -> dict:
    """Score Motcua's own counters (from dossiers) for every unit of the period."""
    scored = _own_rows(_own_counters(conn, period_type, period), province, period_type, period)
    _replace(conn, "own", province, period, scored["rows"])
    return {"units": scored["units"], "rows": len(scored["rows"])}


def score_snapshot(conn: psycopg.Connection, province: str, period_type: str, period: str, as_of: date) -> dict:
    """Score a running period as it stood on ``as_of`` (a year- or quarter-to-date snapshot):
    the portal's records of that day and Motcua's own counters through that day
    (``intermediate.int_scorecard_766_own_counters_to_date``), into
    ``scoring.indicator_score_snapshots`` under a new ``score_seq``."""
    portal = _portal_rows(_landed_payloads(conn, province, period, as_of), province, period_type, period)
    own = _own_rows(_own_counters(conn, period_type, period, as_of), province, period_type, period)
    (seq,) = conn.execute("select nextval('scoring.score_seq')").fetchone()
    conn.execute(
        "delete from scoring.indicator_score_snapshots where province_code = %s and period = %s and as_of_date = %s",
        (province, period, as_of),
    )
    with conn.cursor().copy(
        f"copy scoring.indicator_score_snapshots ({_COLUMNS}, as_of_date, score_seq) from stdin"
    ) as copy:
        for row in portal["rows"] + own["rows"]:
            copy.write_row((*row, as_of, seq))
    return {
        "as_of": as_of.isoformat(),
        "score_seq": seq,
        "portal": {"units": portal["units"], "rows": len(portal["rows"]), "rejected": portal["rejected"]},
        "own": {"units": own["units"], "rows": len(own["rows"])},
        "warnings": portal["warnings"],
    }


def unmapped_portal_units(conn: psycopg.Connection, province: str, periods: list[str]) -> list[tuple[str, str]]:
    """(portal code, name) of the communes the portal scored in ``periods`` that the portal unit
    map (seed ``portal_unit_map``) gives no statistics-office code: they cannot be reconciled."""
    rows = conn.execute(
        """select distinct scores.unit_code, coalesce(raw.payload ->> 'departmentName', '')
           from scoring.indicator_scores as scores
           left join raw.portal_evaluations as raw
               on raw.source_key = scores.province_code || ':' || scores.period || ':' || scores.unit_code
           where scores.score_source = 'portal' and scores.province_code = %s and scores.period = any(%s)
             and scores.child_group = 'COMMUNE'
             and not exists (
                 select 1 from reference.portal_unit_map as map
                 where map.portal_code = scores.unit_code and map.gso_unit_code is not null
             )
           order by 1""",
        (province, periods),
    ).fetchall()
    return [(code, name) for code, name in rows]
