"""Dossiers received at one commune's desk for another commune's competence (Decree 118/2025).

Since 1 July 2025 a citizen may lodge a dossier at any one-stop desk of the province. The
simulator sends a share of the direct and postal dossiers of the 2025 communes of the former
Huyện Nam Đàn through a neighbour's desk: the competent commune's feed serves them with the
desk in ``receiving_unit_code`` and the hand-over in ``transferred_at``. Pulled through the real
extractors and built by dbt, each is received by its desk for the competent commune (Biểu 06
``received_for_other_units_count`` at the desk), and received, settled and scored at the
competent commune (``received_count``, ``received_at_other_units_count``, ``settled_count``, the
TDGQ denominator), with Biểu 06 balanced for every unit (its data test runs in the build).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from motcua.config import ConfigError
from motcua.orchestration.dbt import run_dbt
from motcua.runtime import export_feed_connection
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.server import running_simulator

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from daily_pulls import pull_days

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The 2025 communes that absorbed Huyện Nam Đàn's communes (all pulled: each is the other's neighbour).
COMMUNES = ("17935", "17944", "17950", "17971", "17989")
JULY = date(2025, 7, 1)
DAYS = 21  # 1-21 July 2025
PROFILE = SimulationProfile(seed=11, scale=0.5)
# Every incremental model (the equivalence macros compare them all).
SELECT = (
    "--select",
    "+fct_scorecard_monthly +fct_scorecard_quarterly +fct_scorecard_yearly +fct_scorecard_monthly_communes_2025"
    " +fct_dossier_status_events +fct_documents_monthly +fct_ratings_monthly",
)


def _lodged_elsewhere(record: dict) -> bool:
    """Received at another unit's desk (a dossier handed over at the reform was received by the
    unit that handed it over, for itself)."""
    return record["receiving_unit_code"] != (record["handed_over_from_unit_code"] or record["unit_code"])


def _july(moment: str | None) -> bool:
    return moment is not None and datetime.fromisoformat(moment).astimezone(VN).date().replace(day=1) == JULY


@pytest.fixture(scope="module")
def july_run(warehouse, reset_warehouse):
    """Three weeks of July 2025 pulled, built incrementally after each week; yields the latest
    record the feed served per dossier."""
    reset_warehouse()
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    run_dbt("seed", "--target-path", target)
    app = create_app(PROFILE, unit_codes=set(COMMUNES))
    with running_simulator(None, seed=0, scale=0, app=app) as url:
        export_feed_connection(url)

        def build_each_week(offset: int) -> None:
            if offset % 7 == 6:
                run_dbt("build", *SELECT, "--target-path", target)

        pull_days(COMMUNES, JULY, DAYS, build_each_week)
        records = app.state.truth.records("dossiers")
    # The desks' rows of incremental builds equal a full refresh's (every incremental model).
    run_dbt("run-operation", "save_build_for_comparison", "--target-path", target)
    run_dbt("run", *SELECT, "--full-refresh", "--target-path", target)
    try:
        run_dbt("run-operation", "assert_same_as_saved_build", "--target-path", target)
        verdict = "same"
    except ConfigError as err:
        verdict = str(err)
    return records, verdict


def test_incremental_builds_equal_a_full_refresh(july_run):
    _, verdict = july_run
    assert verdict == "same", verdict


def test_the_feed_served_dossiers_lodged_at_a_neighbours_desk(july_run):
    built, _ = july_run
    lodged_elsewhere = [r for r in built.values() if _lodged_elsewhere(r)]
    assert len(lodged_elsewhere) >= 10
    assert {r["receiving_unit_code"] for r in lodged_elsewhere} <= set(COMMUNES) | _all_2025_communes()
    assert all(r["channel"] in (1, 3) for r in lodged_elsewhere)  # online dossiers reach no desk


def test_the_fact_carries_both_units_and_the_hand_over(july_run, wh_conn):
    built, _ = july_run
    rows = {
        code: (receiving, competent, for_other, transferred)
        for code, receiving, competent, for_other, transferred in wh_conn.execute(
            """select dossier_code, receiving_unit_code, competent_unit_code, is_received_for_other_unit,
                      transferred_at
               from audit.fct_dossiers"""
        ).fetchall()
    }
    assert set(rows) == set(built)
    for code, record in built.items():
        receiving, competent, for_other, transferred = rows[code]
        assert (receiving, competent) == (record["receiving_unit_code"], record["unit_code"])
        assert for_other == _lodged_elsewhere(record)
        expected = datetime.fromisoformat(record["transferred_at"]) if record["transferred_at"] else None
        assert transferred == expected


def test_bieu_06_credits_the_desk_with_what_it_received_for_others_and_the_competent_unit_with_the_rest(
    july_run, wh_conn
):
    built, _ = july_run
    july = [r for r in built.values() if _july(r["received_at"])]
    for_others = Counter(r["receiving_unit_code"] for r in july if _lodged_elsewhere(r))
    at_others = Counter(r["unit_code"] for r in july if _lodged_elsewhere(r))
    received = Counter(r["unit_code"] for r in july)
    settled = Counter(r["unit_code"] for r in built.values() if _july(r["completed_at"]))
    figures = {
        unit: counts
        for unit, *counts in wh_conn.execute(
            """select unit_code, sum(received_for_other_units_count), sum(received_at_other_units_count),
                      sum(received_count), sum(settled_count)
               from audit.fct_dossier_periods_monthly where period_month = %s group by unit_code""",
            (JULY,),
        ).fetchall()
    }
    # Every desk that received for another unit has its row, pulled or not.
    assert set(for_others) <= set(figures)
    for unit, (for_other_units, at_other_units, received_count, settled_count) in figures.items():
        assert for_other_units == for_others[unit], unit
        assert at_other_units == at_others[unit], unit
        assert received_count == received[unit], unit  # a dossier is received once: at its competent unit
        assert settled_count == settled[unit], unit
    # A desk outside the pulled communes received for them and nothing of its own.
    for unit in set(for_others) - set(COMMUNES):
        assert figures[unit][2:] == [0, 0]
    # Reception and channel figures go to the receiving unit: what came in through its desk or
    # its system, for itself or for others, by channel.
    desk = {
        unit: counts
        for unit, *counts in wh_conn.execute(
            """select unit_code, sum(desk_received_online_count), sum(desk_received_direct_count),
                      sum(desk_received_postal_count)
               from audit.fct_dossier_periods_monthly where period_month = %s group by unit_code""",
            (JULY,),
        ).fetchall()
    }
    by_desk = Counter((r["receiving_unit_code"], r["channel"]) for r in july)
    for unit, counts in desk.items():
        assert counts == [by_desk[unit, 2], by_desk[unit, 1], by_desk[unit, 3]], unit
    assert sum(map(sum, desk.values())) == len(july)


def test_the_scorecard_shows_each_communes_receptions_for_others_and_scores_the_dossiers_at_the_competent_unit(
    july_run, wh_conn
):
    built, _ = july_run
    rows = wh_conn.execute(
        """select aggregation_level, scorecard_unit_code, received_for_other_units_count,
                  received_at_other_units_count, received_count, tdgq_denominator
           from audit.fct_scorecard_monthly
           where period_start_date = %(july)s
             -- the 2025 communes (an old commune whose code a 2025 commune reuses has its own row)
             and (aggregation_level = 'province' or scorecard_unit_key in (
                 select unit_key from audit.dim_units where valid_from = %(july)s))""",
        {"july": JULY},
    ).fetchall()
    units = {code: rest for level, code, *rest in rows if level == "unit"}
    (province,) = [rest for level, _, *rest in rows if level == "province"]
    july = [r for r in built.values() if _july(r["received_at"])]
    lodged = [r for r in july if _lodged_elsewhere(r)]
    # In the province, what desks received for others is what competent units received through others.
    assert province[0] == province[1] == len(lodged) > 0
    assert province[2] == len(july)
    for desk, count in Counter(r["receiving_unit_code"] for r in lodged).items():
        assert units[desk][0] == count
    # Scored where settled: the competent unit's TDGQ denominator (settled + in progress) counts
    # every dossier it received in the month, wherever it was lodged, and those the abolished
    # units handed over to it (carried over), but those rejected or withdrawn.
    for unit in COMMUNES:
        handled = [
            r
            for r in built.values()
            if r["unit_code"] == unit
            and (_july(r["received_at"]) or r["handed_over_from_unit_code"])
            and r["status"] not in (3, 7)
        ]
        assert units[unit][3] == len(handled), unit


def _all_2025_communes() -> set[str]:
    from motcua_simulator.reference import all_units

    return {u.code for u in all_units() if u.level == "commune" and u.valid_from is not None}
