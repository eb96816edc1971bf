"""Province agencies (cơ quan cấp tỉnh) as one-stop units beside the communes.

Since 1 July 2025 the province's departments (sở) and the provincial police settle the
province-level procedures, and the public administration service centre (Trung tâm Phục vụ
hành chính công) receives most of their dossiers lodged in person or by post (Decree 118/2025).
The simulator serves two agencies' feeds (Sở Tư pháp H41.01, Công an tỉnh H41.05) and one 2025
commune's (17935, Xã Nam Đàn) for two weeks of July 2025; the service centre has no feed of its
own (it settles nothing). Pulled through the real extractors and built by dbt:

- the agencies are units of ``dim_units`` (level ``agency``) and their dossiers' competent unit;
- the service centre's Biểu 06 row counts what it received for the agencies, outside its own
  balance, and each agency's row counts what it received through the centre;
- the province's scorecard adds the agencies' dossiers to the commune's;
- Motcua's own Decision 766 counters count the agencies (AGENCY group), as the portal scores
  them: the portal unit map gives each agency its own code.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from motcua.orchestration.dbt import run_dbt
from motcua.runtime import export_feed_connection
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.reference import service_centre
from motcua_simulator.server import running_simulator

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from daily_pulls import pull_days

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES = ("H41.01", "H41.05")
COMMUNE = "17935"
JULY = date(2025, 7, 1)
DAYS = 14
PROFILE = SimulationProfile(seed=7, scale=0.5)
SELECT = ("--select", "+fct_scorecard_monthly +int_scorecard_766_own_counters")


def _lodged_elsewhere(record: dict) -> bool:
    """Received at another unit's desk: the service centre, or another commune's (a dossier
    handed over at the reform was received by the unit that handed it over, for itself)."""
    return record["receiving_unit_code"] != (record["handed_over_from_unit_code"] or record["unit_code"])


def _july(moment: str | None) -> bool:
    return moment is not None and datetime.fromisoformat(moment).astimezone(VN).date().replace(day=1) == JULY


@pytest.fixture(scope="module")
def agencies_run(warehouse, reset_warehouse):
    """Two weeks of July 2025 pulled for two agencies and a commune, then built; yields the
    latest record the feed served per dossier."""
    reset_warehouse()
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    run_dbt("seed", "--target-path", target)
    app = create_app(PROFILE, unit_codes={*AGENCIES, COMMUNE})
    with running_simulator(None, seed=0, scale=0, app=app) as url:
        export_feed_connection(url)
        pull_days((*AGENCIES, COMMUNE), JULY, DAYS)
        records = app.state.truth.records("dossiers")
    run_dbt("build", *SELECT, "--target-path", target)
    return records


def test_the_agencies_feeds_serve_province_level_dossiers_most_received_at_the_service_centre(agencies_run):
    centre = service_centre()
    assert centre is not None and centre.code == "H41.09"
    agency_records = [r for r in agencies_run.values() if r["unit_code"] in AGENCIES]
    assert {r["unit_code"] for r in agency_records} == set(AGENCIES)
    assert {r["unit_level"] for r in agency_records} == {"agency"}
    in_person = [r for r in agency_records if r["channel"] in (1, 3)]
    at_centre = [r for r in in_person if r["receiving_unit_code"] == centre.code]
    # Most in-person dossiers go through the centre (rate 0.9), the rest to the agency's own desk.
    assert 0.75 * len(in_person) <= len(at_centre) < len(in_person)
    # Handed to the agency at its first action: every one the agency has acted on by the last pull.
    acted_on = [r for r in at_centre if len(r["status_history"]) > 1]
    assert acted_on and all(r["transferred_at"] for r in acted_on)


def test_the_agencies_are_units_and_their_dossiers_competent_unit(agencies_run, wh_conn):
    units = dict(
        wh_conn.execute(
            "select unit_code, agency_type from audit.dim_units where unit_level = 'agency' order by unit_code"
        ).fetchall()
    )
    assert units["H41.01"] == "department" and units["H41.05"] == "police" and units["H41.09"] == "service_centre"
    facts = wh_conn.execute(
        """select competent_unit_code, competent_unit_level, receiving_unit_code, receiving_unit_level,
                  is_received_for_other_unit, count(*)
           from audit.fct_dossiers where competent_unit_level = 'agency'
           group by 1, 2, 3, 4, 5"""
    ).fetchall()
    expected = Counter(
        (r["unit_code"], "agency", r["receiving_unit_code"], "agency", r["receiving_unit_code"] != r["unit_code"])
        for r in agencies_run.values()
        if r["unit_code"] in AGENCIES
    )
    assert Counter({tuple(row[:5]): row[5] for row in facts}) == expected


def test_bieu_06_credits_the_service_centre_with_what_it_received_for_the_agencies(agencies_run, wh_conn):
    july = [r for r in agencies_run.values() if _july(r["received_at"])]
    through_centre = [r for r in july if r["receiving_unit_code"] == "H41.09"]
    rows = {
        unit: counts
        for unit, level, *counts in wh_conn.execute(
            """select unit_code, unit_level, sum(received_for_other_units_count),
                      sum(received_at_other_units_count), sum(received_count), sum(settled_count)
               from audit.fct_dossier_periods_monthly where period_month = %s group by unit_code, unit_level""",
            (JULY,),
        ).fetchall()
    }
    # The centre received for the agencies and has nothing of its own to balance; its desk's
    # reception figures are those dossiers, by channel (in person or by post, never online).
    assert rows["H41.09"] == [len(through_centre), 0, 0, 0] and len(through_centre) > 0
    (centre_desk,) = wh_conn.execute(
        """select array[sum(desk_received_online_count), sum(desk_received_direct_count),
                        sum(desk_received_postal_count)]
           from audit.fct_dossier_periods_monthly where period_month = %s and unit_code = 'H41.09'""",
        (JULY,),
    ).fetchone()
    channels = Counter(r["channel"] for r in through_centre)
    assert centre_desk == [0, channels[1], channels[3]]
    at_other_desks = Counter(r["unit_code"] for r in july if _lodged_elsewhere(r))
    received = Counter(r["unit_code"] for r in july)
    settled = Counter(r["unit_code"] for r in agencies_run.values() if _july(r["completed_at"]))
    for unit in (*AGENCIES, COMMUNE):
        assert rows[unit] == [0, at_other_desks[unit], received[unit], settled[unit]], unit


def test_the_province_roll_up_counts_the_agencies_with_the_communes(agencies_run, wh_conn):
    rows = wh_conn.execute(
        """select aggregation_level, scorecard_unit_code, scorecard_unit_level, received_count, settled_count,
                  received_for_other_units_count, tdgq_denominator
           from audit.fct_scorecard_monthly where period_start_date = %s""",
        (JULY,),
    ).fetchall()
    units = {code: (level, *rest) for aggregation, code, level, *rest in rows if aggregation == "unit"}
    (province,) = [rest for aggregation, _, _, *rest in rows if aggregation == "province"]
    assert not [row for row in rows if row[0] == "district"]  # no district after the reform, nor for agencies
    july = [r for r in agencies_run.values() if _july(r["received_at"])]
    agencies_received = sum(1 for r in july if r["unit_code"] in AGENCIES)
    assert units["H41.01"][0] == units["H41.05"][0] == "agency"
    assert sum(units[u][1] for u in AGENCIES) == agencies_received > 0
    # The province is every unit: the agencies, the service centre's desk and the commune (and
    # the other communes' desks that received some of the commune's dossiers).
    assert province[0] == len(july) == agencies_received + units[COMMUNE][1]
    assert province[1] == sum(unit[2] for unit in units.values())
    assert province[2] == sum(unit[3] for unit in units.values()) == sum(1 for r in july if _lodged_elsewhere(r))
    assert units["H41.09"][3] == sum(1 for r in july if r["receiving_unit_code"] == "H41.09") > 0
    assert province[3] == sum(unit[4] for unit in units.values())


def test_own_decision_766_counters_score_the_agencies_in_the_agency_group(agencies_run, wh_conn):
    july = [r for r in agencies_run.values() if _july(r["received_at"])]
    counted = dict(
        wh_conn.execute(
            """select unit_code, denominator from intermediate.int_scorecard_766_own_counters
               where period_type = 'month' and period = '2025-07' and child_group = 'agency'
                 and indicator_code = 'TDGQ'"""
        ).fetchall()
    )
    assert counted == {unit: sum(1 for r in july if r["unit_code"] == unit) for unit in AGENCIES}
