"""What ``motcua demo`` prints once its runs published: figures read back from the ``published`` schema.

A per-unit summary, a pre-2025 district's scorecard (bảng điểm), a 2025 commune's scorecard
with its predecessors' history, and the portal's Decision 766 figures beside Motcua's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich import box
from rich.console import Console
from rich.table import Table

_SCORECARD_FIGURES = """received_count, received_for_other_units_count, settled_count, on_time_rate, late_count,
    apology_coverage_rate, online_share, digitised_share, online_payment_share, tdgq_points, tdgq_max_points"""


_SCORECARD_COLUMNS = [
    "period (kỳ)",
    "received",
    # Tiếp nhận hộ: lodged at this unit's desk for another unit's competence (Decree 118/2025).
    "received for others",
    "settled",
    "on time %",
    "late",
    "apology %",
    "online %",
    "digit. %",
    "paid online %",
    "TDGQ points",
]


def print_table(
    console: Console, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], first_numeric: int
) -> None:
    """A table whose columns from ``first_numeric`` on hold figures: right-aligned and never cut.

    Compact (no vertical rules, one space between columns); on a narrow terminal the headers and
    the names wrap at their spaces, the figures keep their width.
    """
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        padding=0,  # the box puts one space between columns
        pad_edge=False,
    )
    for i, column in enumerate(columns):
        if i >= first_numeric:
            widest = max([len(row[i]) for row in rows] + [len(word) for word in column.split()])
            table.add_column(column, justify="right", min_width=widest)
        else:
            words = [word for text in [column, *(row[i] for row in rows)] for word in text.split()]
            table.add_column(column, justify="left", min_width=min(12, max(map(len, words))))
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _fixed(value: object, digits: int = 2) -> str:
    return f"{float(value):.{digits}f}" if value is not None else "-"


def print_summary(console: Console, url: str, start: date, end: date) -> None:
    import psycopg

    from motcua.domain import TIME_ZONE_NAME

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select u.unit_full_name, u.unit_level,
                      count(*) as received,
                      count(*) filter (where d.is_completed) as settled,
                      count(*) filter (where d.completion_class in ('before_time', 'on_time')) as on_time,
                      count(*) filter (where d.completion_class = 'late') as late,
                      count(*) filter (where d.completion_class = 'late' and d.has_apology_letter) as apologised,
                      round(100.0 * avg(d.is_online::int), 1) as online_pct
               from published.dossiers d
               join published.units u
                 on u.unit_code = d.competent_unit_code
                and (u.valid_from is null or u.valid_from <= d.received_at::date)
                and (u.valid_to is null or d.received_at::date < u.valid_to)
               where (d.received_at at time zone %(tz)s)::date >= %(start)s
                 and (d.received_at at time zone %(tz)s)::date < %(end)s
               group by 1, 2 order by 2, 1""",
            {"tz": TIME_ZONE_NAME, "start": start, "end": end},
        ).fetchall()
    print_table(
        console,
        f"Per-unit summary from the published schema (received {start} .. {end - timedelta(days=1)})",
        ["unit (đơn vị)", "level", "received", "settled", "on time", "late", "apology", "online %"],
        [[str(value if value is not None else "-") for value in row] for row in rows],
        first_numeric=2,
    )


def print_reconciliation(console: Console, url: str, period: str) -> None:
    """Official Decision 766 figures beside Motcua's own, per unit, from the published schema."""
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("select to_regclass('published.scorecard_766_reconciliation')").fetchone()[0]
        if not exists:
            console.print("(no Decision 766 reconciliation published yet)")
            return
        rows = conn.execute(
            """select coalesce(u.unit_full_name, r.portal_unit_code),
                      r.official_rate_percent, r.own_rate_percent, r.on_time_rate_gap_pp,
                      r.official_points, r.recomputed_points, r.own_points
               from published.scorecard_766_reconciliation r
               -- the unit as it was at the start of the period (codes are reused after 2025)
               left join lateral (
                   select unit_full_name from published.units u
                   where u.unit_code = r.gso_unit_code
                     and (u.valid_from is null or u.valid_from <= to_date(r.period || '-01', 'YYYY-MM-DD'))
                     and (u.valid_to is null or to_date(r.period || '-01', 'YYYY-MM-DD') < u.valid_to)
               ) u on true
               where r.period = %s and r.indicator_code = 'TDGQ'
               order by r.on_time_rate_gap_pp desc nulls last, 1""",
            (period,),
        ).fetchall()
    print_table(
        console,
        f"Decision 766, tiến độ giải quyết (TDGQ) for {period}: the portal's official figures beside Motcua's own",
        ["unit (đơn vị)", "portal %", "own %", "gap pp", "official points", "recomputed points", "own points"],
        [[name, *(_fixed(v) for v in figures)] for name, *figures in rows],
        first_numeric=1,
    )


def _scorecard_cells(row: Sequence) -> list[str]:
    received, for_others, settled, on_time, late, apology, online, digitised, paid, points, max_points = row

    def pct(value: object) -> str:
        return f"{100 * float(value):.1f}" if value is not None else "-"

    def num(value: object) -> str:
        # Counters re-aggregated through a split unit are fractional (weighted).
        return f"{float(value):.1f}" if value is not None and float(value) % 1 else f"{int(value or 0)}"

    tdgq = f"{points}/{max_points}" if points is not None else "-"
    return [
        num(received),
        num(for_others),
        num(settled),
        pct(on_time),
        num(late),
        pct(apology),
        pct(online),
        pct(digitised),
        pct(paid),
        tdgq,
    ]


def _print_scorecard(console: Console, title: str, lines: list[tuple[str, Sequence]]) -> None:
    rows = [[label, *_scorecard_cells(figures)] for label, figures in lines]
    print_table(console, title, _SCORECARD_COLUMNS, rows, first_numeric=1)


def print_district_scorecard(console: Console, url: str, district_code: str, start: date, end: date) -> None:
    """A pre-2025 district (its desk and its communes) per month and quarter, from ``published``."""
    import psycopg

    from motcua.domain import REFORM_DATE

    with psycopg.connect(url) as conn:
        name = conn.execute(
            "select unit_full_name from published.units where unit_code = %s and valid_to = %s",
            (district_code, REFORM_DATE),
        ).fetchone()
        rows = conn.execute(
            f"""select period_type, period_start_date, {_SCORECARD_FIGURES}
                from published.scorecards_monthly
                where aggregation_level = 'district' and scorecard_unit_code = %(district)s
                  and period_start_date >= %(start)s and period_start_date < least(%(end)s, %(reform)s)
                union all
                select period_type, period_start_date, {_SCORECARD_FIGURES}
                from published.scorecards_quarterly
                where aggregation_level = 'district' and scorecard_unit_code = %(district)s
                  and period_start_date >= %(start)s and period_start_date < least(%(end)s, %(reform)s)
                -- months first ('month' < 'quarter'), then the quarter
                order by period_type, period_start_date""",
            {"district": district_code, "start": start, "end": end, "reform": REFORM_DATE},
        ).fetchall()
    title = name[0] if name else district_code
    _print_scorecard(
        console,
        f"Scorecard (bảng điểm) of {title} before the 2025 reform: its desk and its communes",
        [
            (f"{start:%Y-%m}" if period_type == "month" else f"Q{(start.month + 2) // 3} {start:%Y}", tuple(figures))
            for period_type, start, *figures in rows
        ],
    )


def demo_commune_2025(district_code: str) -> str | None:
    """The 2025 commune with the most predecessors, all of them inside the simulated district (demo only)."""
    from motcua_simulator.reference import communes_of_district, predecessors, successors

    old_in_area = communes_of_district(district_code)
    inside = [
        (len(predecessors(new)), new)
        for new in successors(district_code, "district")
        if predecessors(new) <= old_in_area
    ]
    return max(inside)[1] if inside else None


def print_commune_2025_scorecard(console: Console, url: str, commune_code: str, start: date, end: date) -> None:
    """A 2025 commune's months: history re-aggregated from its predecessors, then its own."""
    import psycopg

    from motcua.domain import REFORM_DATE

    with psycopg.connect(url) as conn:
        name = conn.execute(
            "select unit_full_name from published.units where unit_code = %s and valid_from = %s",
            (commune_code, REFORM_DATE),
        ).fetchone()
        lineage = conn.execute(
            """select string_agg(coalesce(u.unit_full_name, b.old_unit_code)
                                 || case when b.allocation_weight < 1
                                         then ' (' || round(100 * b.allocation_weight)::text || '%%)' else '' end,
                                 ', ' order by b.old_unit_level, u.unit_full_name)
               from published.unit_succession b
               left join published.units u
                 on u.unit_code = b.old_unit_code and u.valid_to = %(reform)s
               where b.new_unit_code = %(commune)s and b.new_unit_key in (
                   select unit_key from published.units where unit_code = %(commune)s and valid_from = %(reform)s)""",
            {"commune": commune_code, "reform": REFORM_DATE},
        ).fetchone()
        rows = conn.execute(
            f"""select period_start_date, {_SCORECARD_FIGURES}
                from published.scorecards_monthly_communes_2025
                where commune_2025_unit_code = %s and period_start_date >= %s and period_start_date < %s
                order by period_start_date""",
            (commune_code, start, end),
        ).fetchall()
    title = name[0] if name else commune_code
    _print_scorecard(
        console,
        f"Scorecard of {title}, a 2025 commune (xã mới), with history re-aggregated from {lineage[0] or '-'}",
        [
            (f"{start:%Y-%m} ({'own' if start >= REFORM_DATE else 'history'})", tuple(figures))
            for start, *figures in rows
        ],
    )
