"""Open dossiers of abolished units handed over to their successors at the 2025 reform.

On 1 July 2025 Huyện Nam Đàn (430) and its 17 communes were abolished; five 2025 communes took
their place. The simulator's successor systems take over every dossier still open at 00:00 on
1 July (an old commune's to the 2025 commune it merged into, one of them when it was split; the
district's to one of the five), with its history and its appointment, and serve it from then
on with ``handed_over_from_unit_code``. June is pulled from the old units, 1-10 July from the
new ones; dbt builds the marts (Biểu 06's balance and its other data tests run in the build).

What the issue asks: the carried-over column of July 2025 equals what was open on 30 June, each
handed-over dossier is settled and counted at its successor and classed against its original
deadline, and with the source handing everything over nothing leaves the province's scope
(``open_left_scope_count`` 0 for 2025).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from motcua.orchestration.dbt import run_dbt
from motcua.orchestration.tasks import extract_load_procedures, extract_load_unit
from motcua.runtime import export_feed_connection
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.reference import all_units, merges
from motcua_simulator.server import running_simulator

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DISTRICT = "430"  # Huyện Nam Đàn
REFORM = datetime(2025, 7, 1, tzinfo=VN)
JUNE, JULY = date(2025, 6, 1), date(2025, 7, 1)
JULY_DAYS = 10
PROFILE = SimulationProfile(seed=5, scale=0.3)
SELECT = ("--select", "+fct_scorecard_monthly +fct_scorecard_quarterly +fct_scorecard_yearly")


def _old_communes() -> set[str]:
    return {u.code for u in all_units() if u.parent_code == DISTRICT and u.valid_to == JULY}


def _new_communes() -> set[str]:
    return {new for new, old, _ in merges() if old in _old_communes()}


@pytest.fixture(scope="module")
def handover(warehouse, reset_warehouse):
    """June from the old units, then ten days of July from the new ones; the records served."""
    reset_warehouse()
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    run_dbt("seed", "--target-path", target)
    old, new = {DISTRICT} | _old_communes(), _new_communes()
    app = create_app(PROFILE, unit_codes=old | new)
    june_start = datetime.combine(JUNE, datetime.min.time(), VN)
    with running_simulator(None, seed=0, scale=0, app=app) as url:
        export_feed_connection(url)
        extract_load_procedures(june_start - timedelta(days=1), june_start + timedelta(days=1))
        for unit in sorted(old):  # one interval: every change of June
            extract_load_unit(unit, june_start, REFORM)
        for offset in range(JULY_DAYS):
            start = REFORM + timedelta(days=offset)
            for unit in sorted(new):
                extract_load_unit(unit, start, start + timedelta(days=1))
        records = app.state.truth.records("dossiers")
    run_dbt("build", *SELECT, "--target-path", target)
    return records


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def test_the_successors_served_the_open_dossiers_of_the_abolished_units(handover):
    handed = [r for r in handover.values() if r["handed_over_from_unit_code"]]
    assert len(handed) > 50
    assert {r["handed_over_from_unit_code"] for r in handed} <= {DISTRICT} | _old_communes()
    assert DISTRICT in {r["handed_over_from_unit_code"] for r in handed}
    assert {r["unit_code"] for r in handed} <= _new_communes()
    # Open at the hand-over: nothing settled or closed before 1 July.
    assert all(_moment(r["received_at"]) < REFORM for r in handed)
    assert not [r for r in handed if r["completed_at"] and _moment(r["completed_at"]) < REFORM]


def test_a_handed_over_dossier_is_the_successors_and_classed_against_its_original_deadline(handover, wh_conn):
    handed = {code: r for code, r in handover.items() if r["handed_over_from_unit_code"]}
    rows = {
        code: rest
        for code, *rest in wh_conn.execute(
            """select d.dossier_code, d.competent_unit_code, u.valid_from, d.handed_over_from_unit_code,
                      h.valid_to, d.appointment_due_at, d.completion_class, d.is_received_for_other_unit
               from audit.fct_dossiers d
               join audit.dim_units u on u.unit_key = d.competent_unit_key
               join audit.dim_units h on h.unit_key = d.handed_over_from_unit_key
               where d.handed_over_from_unit_code is not null"""
        ).fetchall()
    }
    assert set(rows) == set(handed)
    settled_in_july = 0
    for code, record in handed.items():
        competent, valid_from, handed_from, handed_valid_to, due, completion_class, for_other = rows[code]
        # The 2025 commune (from 1 July) settles it; the old unit (to 1 July) handed it over.
        assert (competent, valid_from) == (record["unit_code"], JULY)
        assert (handed_from, handed_valid_to) == (record["handed_over_from_unit_code"], JULY)
        assert not for_other  # received by the old unit for itself, not for another unit
        assert due == _moment(record["appointment_due_at"])
        completed = _moment(record["completed_at"])
        if completed is not None:
            settled_in_july += 1
            assert (completion_class == "late") == (completed > due)
    assert settled_in_july > 0


def test_july_carries_over_what_was_open_on_30_june_and_settles_it_at_the_successors(handover, wh_conn):
    (june_in_progress, july_carried_over) = wh_conn.execute(
        """select sum(in_progress_count) filter (where period_month = %(june)s),
                  sum(carried_over_count) filter (where period_month = %(july)s)
           from audit.fct_dossier_periods_monthly""",
        {"june": JUNE, "july": JULY},
    ).fetchone()
    (open_on_30_june,) = wh_conn.execute(
        """select count(*) from audit.fct_dossiers
           where received_at < %(reform)s and (closed_at is null or greatest(closed_at, received_at) >= %(reform)s)""",
        {"reform": REFORM},
    ).fetchone()
    assert june_in_progress == july_carried_over == open_on_30_june > 0
    # Per successor: July carries over exactly the dossiers handed to it, and settles those
    # of them (with its own) completed in July.
    handed = [r for r in handover.values() if r["handed_over_from_unit_code"]]
    carried = Counter(r["unit_code"] for r in handed)
    settled = Counter(
        r["unit_code"] for r in handover.values() if r["completed_at"] and _moment(r["completed_at"]) >= REFORM
    )
    figures = {
        unit: (carried_over, settled_count)
        for unit, carried_over, settled_count in wh_conn.execute(
            """select p.unit_code, sum(p.carried_over_count), sum(p.settled_count)
               from audit.fct_dossier_periods_monthly p
               join audit.dim_units u using (unit_key)
               where p.period_month = %(july)s and u.valid_from = %(july)s group by p.unit_code""",
            {"july": JULY},
        ).fetchall()
        if unit in _new_communes()  # not the desks elsewhere that received some of their dossiers
    }
    assert figures == {unit: (carried[unit], settled[unit]) for unit in _new_communes()}
    # The abolished units report nothing after June.
    (old_rows_after_june,) = wh_conn.execute(
        """select count(*) from audit.fct_dossier_periods_monthly p
           join audit.dim_units u using (unit_key)
           where p.period_month >= %(july)s and u.valid_to = %(july)s""",
        {"july": JULY},
    ).fetchone()
    assert old_rows_after_june == 0


def test_nothing_leaves_the_provinces_scope_in_2025(handover, wh_conn):
    rows = wh_conn.execute(
        """select period_type, carried_over_count, received_count, settled_count, rejected_or_withdrawn_count,
                  in_progress_count, open_left_scope_count
           from audit.fct_scorecard_yearly where aggregation_level = 'province' and period_start_date = '2025-01-01'
           union all
           select period_type, carried_over_count, received_count, settled_count, rejected_or_withdrawn_count,
                  in_progress_count, open_left_scope_count
           from audit.fct_scorecard_quarterly
           where aggregation_level = 'province' and period_start_date = '2025-07-01'"""
    ).fetchall()
    assert {row[0] for row in rows} == {"year", "quarter"}
    for _, carried_over, received, settled, rejected, in_progress, left_scope in rows:
        assert left_scope == 0
        assert carried_over + received == settled + rejected + in_progress
