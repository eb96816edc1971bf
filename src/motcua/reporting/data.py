"""What the scorecard report shows, read from the ``published`` schema only.

Every query here reads published views, so the report runs as any BI login: a login scoped to
units (``motcua bi-login create --units``) gets a report of its units only, because row-level
security filters the views it reads. Nothing here reads personal data (``published`` has none).

Each reader takes the report's month and returns plain rows (dicts keyed by column name); the
rendering (``motcua.reporting.render``) decides nothing about what the figures are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import psycopg
from psycopg.rows import dict_row

from motcua.domain import REFORM_DATE, TIME_ZONE_NAME

#: How many procedures the late-dossier section lists (the rest are summed in one line).
LATE_PROCEDURES_LISTED = 15
#: How many late dossiers a procedure's drill-down lists (the count says how many there are).
LATE_DOSSIERS_LISTED = 200


class ReportError(Exception):
    """The published schema cannot give the report asked for (nothing published, an unknown month)."""


@dataclass
class ReportData:
    month: date
    months: list[date]
    #: The latest instant the published dossiers were computed at (their as-of), if any.
    data_as_of: object | None
    units: list[dict] = field(default_factory=list)
    rollups: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    portal_groups: list[dict] = field(default_factory=list)
    reconciliation: list[dict] = field(default_factory=list)
    procedure_levels: list[dict] = field(default_factory=list)
    late_procedures: list[dict] = field(default_factory=list)
    late_dossiers: dict[str, list[dict]] = field(default_factory=dict)
    reform_months: list[dict] = field(default_factory=list)
    successions: list[dict] = field(default_factory=list)


def _rows(conn: psycopg.Connection, query: str, params: dict | None = None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params or {})
        return cur.fetchall()


def _published(conn: psycopg.Connection, view: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (f"published.{view}",)).fetchone()[0]


def published_months(conn: psycopg.Connection) -> list[date]:
    """The months the monthly scorecards cover, oldest first."""
    if not _published(conn, "scorecards_monthly"):
        return []
    rows = conn.execute("select distinct period_start_date from published.scorecards_monthly order by 1").fetchall()
    return [month for (month,) in rows]


#: The unit's name as it was on a date: unit codes are reused across the 2025 reform.
_UNIT_NAME_ON = """
    left join lateral (
        select unit_full_name, unit_full_name_en, unit_level from published.units u
        where u.unit_code = {code}
          and (u.valid_from is null or u.valid_from <= {on})
          and (u.valid_to is null or {on} < u.valid_to)
        order by u.valid_from desc nulls last
        limit 1
    ) names on true"""

#: The scorecard columns the report shows for a unit or a roll-up.
SCORECARD_FIGURES = (
    "received_count",
    # Tiếp nhận hộ: lodged at the unit's desk for another unit's competence (Decree 118/2025).
    "received_for_other_units_count",
    "settled_count",
    "settled_before_time_count",
    "settled_on_time_count",
    "settled_late_count",
    "in_progress_count",
    "in_progress_overdue_count",
    "on_time_rate",
    "late_count",
    "settled_late_with_apology_count",
    "apology_coverage_rate",
    "online_share",
    "digitised_share",
    "online_payment_share",
    "tdgq_points",
    "tdgq_max_points",
)


def _figures(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in SCORECARD_FIGURES)


def read_units(conn: psycopg.Connection, month: date) -> list[dict]:
    """Each unit's own desk for the month, with its satisfaction and e-office figures."""
    # The kiosk and e-office marts publish with the daily run; a schema without them (a portal-only
    # warehouse) still gets the one-stop figures.
    extra_columns, extra_joins = [], []
    if _published(conn, "ratings_monthly"):
        extra_columns.append("r.satisfaction_rate, r.ratings_count")
        extra_joins.append(
            "left join published.ratings_monthly r on r.unit_key = s.scorecard_unit_key "
            "and r.period_month = s.period_start_date"
        )
    else:
        extra_columns.append("null::numeric as satisfaction_rate, null::bigint as ratings_count")
    if _published(conn, "documents_monthly"):
        extra_columns.append("d.e_signature_rate, d.late_documents_count")
        extra_joins.append(
            "left join published.documents_monthly d on d.unit_key = s.scorecard_unit_key "
            "and d.period_month = s.period_start_date"
        )
    else:
        extra_columns.append("null::numeric as e_signature_rate, null::bigint as late_documents_count")
    return _rows(
        conn,
        f"""select s.scorecard_unit_key as unit_key, s.scorecard_unit_code as unit_code,
                   coalesce(u.unit_full_name, s.scorecard_unit_code) as unit_name,
                   u.unit_full_name_en as unit_name_en, s.scorecard_unit_level as unit_level,
                   -- a unit abolished before the month still settles the dossiers it received
                   case when u.valid_to <= s.period_start_date then u.valid_to end as abolished_on,
                   {_figures("s")}, {", ".join(extra_columns)}
            from published.scorecards_monthly s
            left join published.units u on u.unit_key = s.scorecard_unit_key
            {" ".join(extra_joins)}
            where s.aggregation_level = 'unit' and s.period_start_date = %(month)s
            order by s.scorecard_unit_level, unit_name""",
        {"month": month},
    )


def read_rollups(conn: psycopg.Connection, month: date) -> list[dict]:
    """The district (before the reform) and province roll-ups for the month."""
    return _rows(
        conn,
        f"""select s.aggregation_level, s.scorecard_unit_code as unit_code,
                   coalesce(u.unit_full_name, s.scorecard_unit_code) as unit_name,
                   {_figures("s")}
            from published.scorecards_monthly s
            left join published.units u on u.unit_key = s.scorecard_unit_key
            where s.aggregation_level <> 'unit' and s.period_start_date = %(month)s
            -- the province first, then the districts
            order by s.aggregation_level desc, unit_name""",
        {"month": month},
    )


def read_trend(conn: psycopg.Connection) -> list[dict]:
    """The province's months (every unit the schema holds), oldest first."""
    return _rows(
        conn,
        """select period_start_date as month, received_count, settled_count, late_count,
                  on_time_rate, online_share, digitised_share, online_payment_share
           from published.scorecards_monthly
           where aggregation_level = 'province'
           order by period_start_date""",
    )


def read_portal_groups(conn: psycopg.Connection, month: date) -> list[dict]:
    """The portal's official points per unit and Decision 766 group for the month, with the total
    and the rank the portal gives (by total, within agencies or communes)."""
    if not _published(conn, "official_scores_766"):
        return []
    return _rows(
        conn,
        f"""with groups as (
                select portal_unit_code, gso_unit_code, child_group, group_code,
                       sum(official_points) as points, sum(official_max_points) as max_points
                from published.official_scores_766
                where period_type = 'month' and period = %(period)s
                group by 1, 2, 3, 4
            ),
            totals as (
                select portal_unit_code, gso_unit_code, child_group,
                       jsonb_object_agg(group_code, points) as group_points,
                       sum(points) as total_points, sum(max_points) as total_max_points
                from groups group by 1, 2, 3
            )
            select t.*, coalesce(names.unit_full_name, t.gso_unit_code, t.portal_unit_code) as unit_name,
                   rank() over (partition by t.child_group order by t.total_points desc nulls last) as portal_rank
            from totals t
            {_UNIT_NAME_ON.format(code="t.gso_unit_code", on="%(month)s")}
            order by t.child_group, portal_rank, unit_name""",
        {"period": f"{month:%Y-%m}", "month": month},
    )


def read_reconciliation(conn: psycopg.Connection, month: date) -> list[dict]:
    """Own figures beside the portal's official ones for the month, per unit and indicator."""
    if not _published(conn, "scorecard_766_reconciliation"):
        return []
    return _rows(
        conn,
        f"""select r.gso_unit_code, r.portal_unit_code, r.indicator_code, r.group_code,
                   coalesce(names.unit_full_name, r.gso_unit_code, r.portal_unit_code) as unit_name,
                   r.official_points, r.own_points, r.own_points_difference,
                   r.official_rate_percent, r.own_rate_percent, r.on_time_rate_gap_pp, r.is_estimate
            from published.scorecard_766_reconciliation r
            {_UNIT_NAME_ON.format(code="r.gso_unit_code", on="%(month)s")}
            where r.period_type = 'month' and r.period = %(period)s
            order by abs(r.own_points_difference) desc nulls last, unit_name, r.indicator_code""",
        {"period": f"{month:%Y-%m}", "month": month},
    )


def read_procedure_levels(conn: psycopg.Connection, month: date) -> list[dict]:
    """Procedures in force by authority level and online level (mức độ trực tuyến) for the month."""
    if not _published(conn, "procedures_monthly"):
        return []
    return _rows(
        conn,
        """select authority_level, judged_on, procedures_in_force_count, full_online_count,
                  partial_online_count, not_online_count, online_service_share,
                  processing_time_reductions_count
           from published.procedures_monthly
           where period_month = %(month)s
           -- province, district, commune
           order by array_position(array['province', 'district', 'commune'], authority_level), authority_level""",
        {"month": month},
    )


_MONTH_BOUNDS = """(d.completed_at at time zone %(tz)s) >= %(month)s
        and (d.completed_at at time zone %(tz)s) < (%(month)s::date + interval '1 month')"""


def read_late_procedures(conn: psycopg.Connection, month: date) -> list[dict]:
    """Dossiers settled late (quá hạn) in the month, per procedure, most first."""
    return _rows(
        conn,
        f"""select d.procedure_code, coalesce(p.procedure_name, d.procedure_code) as procedure_name,
                   count(*) as late_count,
                   count(*) filter (where d.has_apology_letter) as apologised_count,
                   count(distinct d.competent_unit_code) as units_count,
                   round(avg(d.working_days_taken - d.statutory_working_days), 1) as days_over_avg
            from published.dossiers d
            left join lateral (
                select procedure_name from published.procedures p
                where p.procedure_code = d.procedure_code
                order by p.is_current desc, p.record_valid_from desc nulls last limit 1
            ) p on true
            where d.completion_class = 'late' and {_MONTH_BOUNDS}
            group by 1, 2
            order by late_count desc, d.procedure_code""",
        {"month": month, "tz": TIME_ZONE_NAME},
    )


def read_late_dossiers(conn: psycopg.Connection, month: date, procedure_codes: list[str]) -> dict[str, list[dict]]:
    """The late dossiers of the listed procedures (codes and dates only: no personal data)."""
    if not procedure_codes:
        return {}
    rows = _rows(
        conn,
        f"""select * from (
                select d.procedure_code, d.dossier_code, d.competent_unit_code,
                       coalesce(names.unit_full_name, d.competent_unit_code) as unit_name,
                       d.received_at at time zone %(tz)s as received_at,
                       d.appointment_due_at at time zone %(tz)s as due_at,
                       d.completed_at at time zone %(tz)s as completed_at,
                       d.working_days_taken, d.statutory_working_days, d.has_apology_letter,
                       row_number() over (partition by d.procedure_code order by d.completed_at, d.dossier_code) as n
                from published.dossiers d
                {_UNIT_NAME_ON.format(code="d.competent_unit_code", on="d.received_date")}
                where d.completion_class = 'late' and {_MONTH_BOUNDS}
                  and d.procedure_code = any(%(codes)s)
            ) listed
            where n <= %(limit)s
            order by procedure_code, n""",
        {"month": month, "tz": TIME_ZONE_NAME, "codes": procedure_codes, "limit": LATE_DOSSIERS_LISTED},
    )
    listed: dict[str, list[dict]] = {}
    for row in rows:
        listed.setdefault(row["procedure_code"], []).append(row)
    return listed


def read_reform(conn: psycopg.Connection) -> tuple[list[dict], list[dict]]:
    """The 2025 communes' months (history re-aggregated from their predecessors, then their own)
    and what each succeeded."""
    if not _published(conn, "scorecards_monthly_communes_2025"):
        return [], []
    months = _rows(
        conn,
        f"""select c.commune_2025_unit_code as unit_code,
                   coalesce(names.unit_full_name, c.commune_2025_unit_code) as unit_name,
                   c.period_start_date as month, c.period_start_date < %(reform)s as is_history,
                   c.received_count, c.settled_count, c.on_time_rate, c.late_count, c.online_share
            from published.scorecards_monthly_communes_2025 c
            {_UNIT_NAME_ON.format(code="c.commune_2025_unit_code", on="%(reform)s::date")}
            order by unit_name, c.period_start_date""",
        {"reform": REFORM_DATE},
    )
    successions = _rows(
        conn,
        f"""select b.new_unit_code, coalesce(names.unit_full_name, b.old_unit_code) as old_unit_name,
                   b.old_unit_code, b.old_unit_level, b.merge_type, b.allocation_weight
            from published.unit_succession b
            {_UNIT_NAME_ON.format(code="b.old_unit_code", on="(%(reform)s::date - 1)")}
            order by b.new_unit_code, b.old_unit_level, old_unit_name""",
        {"reform": REFORM_DATE},
    )
    return months, successions


def read_report(conn: psycopg.Connection, month: date | None = None) -> ReportData:
    """Everything the report shows for ``month`` (default: the latest published month)."""
    months = published_months(conn)
    if not months:
        raise ReportError(
            "nothing is published yet: published.scorecards_monthly is missing or empty "
            "(run the daily DAG, or `motcua demo`, first)"
        )
    if month is None:
        month = months[-1]
    elif month not in months:
        raise ReportError(
            f"no published scorecard for {month:%Y-%m}; published months: {months[0]:%Y-%m} .. {months[-1]:%Y-%m}"
        )
    (as_of,) = conn.execute("select max(as_of_at) from published.dossiers").fetchone()
    late = read_late_procedures(conn, month)
    reform_months, successions = read_reform(conn)
    return ReportData(
        month=month,
        months=months,
        data_as_of=as_of,
        units=read_units(conn, month),
        rollups=read_rollups(conn, month),
        trend=read_trend(conn),
        portal_groups=read_portal_groups(conn, month),
        reconciliation=read_reconciliation(conn, month),
        procedure_levels=read_procedure_levels(conn, month),
        late_procedures=late,
        late_dossiers=read_late_dossiers(conn, month, [p["procedure_code"] for p in late[:LATE_PROCEDURES_LISTED]]),
        reform_months=reform_months,
        successions=successions,
    )
