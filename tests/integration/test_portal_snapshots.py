"""motcua_portal_snapshots end to end: the year- and quarter-to-date scores kept day by day.

One motcua_daily run lands the dossiers from the reform (1 July 2025) through the second day,
then ``motcua backfill`` runs two daily snapshot runs against the simulator's portal API (which, standing in for the
portal's real time, evaluates a running period through the run's day), then the history mart,
the to-date reconciliation and their published views. The expected points are the simulator's
own answers for those days, assembled by the client's code: the warehouse must keep exactly what
the portal showed each day, and Motcua's own counters through each day must agree with it except
where the simulator made the portal disagree (``injected_differences`` for that day).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from motcua.cli import daily_run_date, run_dag, snapshot_run_date
from motcua.cli.main import main
from motcua.config import ConfigError
from motcua.feeds.portal import period_body
from motcua.orchestration import tasks
from motcua.runtime import export_feed_connection
from motcua.scoring.portal_sources import API_ENDPOINTS, assemble_api_records
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.portal import PORTAL_PROVINCE_CODE, injected_differences
from motcua_simulator.portal_api import api_response, root_department_id
from motcua_simulator.server import running_simulator

UNITS = frozenset({"17935", "17950", "17971"})
SEED, SCALE = 11, 0.3
PROFILE = SimulationProfile(seed=SEED, scale=SCALE)
DAYS = (date(2025, 8, 14), date(2025, 8, 15))
#: The 2025 communes are portal units from the reform on: their dossiers from that day count.
DOSSIERS_FROM = date(2025, 7, 1)
PERIODS = (("year", "2025"), ("quarter", "2025-Q3"))


def served(period_type: str, period: str, as_of: date) -> dict[str, dict]:
    """What the portal showed on ``as_of``: portal unit code -> record."""
    body = {
        **period_body(period_type, period),
        "pageSize": 300,
        "currentPage": 1,
        "rootDepartmentId": root_department_id(),
    }
    full = {"quarter": None, "month": None, "departmentType": None, **body}
    responses = {e: api_response(e, dict(full), PROFILE, UNITS, as_of=as_of) for e in API_ENDPOINTS}
    return {r["departmentCode"]: r for r in assemble_api_records(responses)}


@pytest.fixture(scope="module")
def snapshot_runs(airflow_db, reset_warehouse):
    from motcua_simulator.app import create_app

    reset_warehouse()
    with running_simulator(None, seed=SEED, scale=SCALE, app=create_app(PROFILE, unit_codes=set(UNITS))) as url:
        export_feed_connection(url)
        states = [run_dag("motcua_reference")]
        states += [run_dag("motcua_daily", daily_run_date(DAYS[-1]), {"initial_load_from": DOSSIERS_FROM.isoformat()})]
        # The snapshot days through the backfill command, as a data engineer would run them
        # (--rerun: a day this test session already ran elsewhere is run again into this warehouse).
        backfill = ["backfill", "motcua_portal_snapshots", "--from", DAYS[0].isoformat(), "--to", DAYS[-1].isoformat()]
        exit_codes = [main([*backfill, "--rerun"])]
        runs_before = _snapshot_runs_recorded()
        exit_codes.append(main(backfill))  # again: every day already succeeded
        yield {"states": states, "exit_codes": exit_codes, "runs": (runs_before, _snapshot_runs_recorded())}
    reset_warehouse()


def _snapshot_runs_recorded() -> list[tuple]:
    """(logical date, state) of every motcua_portal_snapshots run Airflow knows."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(DagRun.logical_date, DagRun.state).where(DagRun.dag_id == "motcua_portal_snapshots")
        ).all()
    return sorted((d, str(s)) for d, s in rows)


def test_both_days_run(snapshot_runs):
    assert snapshot_runs["states"] == ["success"] * 2
    assert snapshot_runs["exit_codes"] == [0, 0]
    before, _ = snapshot_runs["runs"]
    wanted = {snapshot_run_date(day) for day in DAYS}
    assert wanted <= {d for d, state in before if state == "success"}


def test_the_backfill_again_skips_the_days_that_succeeded(snapshot_runs):
    before, after = snapshot_runs["runs"]
    assert after == before  # no run started, none replaced


def test_the_history_keeps_each_days_scores_as_the_portal_showed_them(snapshot_runs, wh_conn):
    rows = wh_conn.execute(
        """select period_type, period, portal_unit_code, evaluation_version, as_of_date, superseded_on,
                  is_latest, group_code, official_points, total_points
           from audit.fct_official_scores_766_history"""
    ).fetchall()
    by_key = {(r[0], r[1], r[2], r[4], r[7]): r for r in rows}
    expected = 0
    for period_type, period in PERIODS:
        for day in DAYS:
            for code, record in served(period_type, period, day).items():
                for group, points in record["groupScores"].items():
                    row = by_key[(period_type, period, code, day, group)]
                    assert row[8] == Decimal(str(points)), (period, code, day, group)
                    assert row[9] == Decimal(str(record["totalScore"]))
                    # The first day's version ends when the second day's arrives.
                    assert (row[5], row[6]) == ((DAYS[1], False) if day == DAYS[0] else (None, True))
                    expected += 1
    assert len(rows) == expected == 2 * 2 * (len(UNITS) + 1) * 6
    # A running year moves: the province's year-to-date total differs from one day to the next.
    totals = {r[4]: r[9] for r in rows if r[1] == "2025" and r[2] == "H41"}
    assert totals[DAYS[0]] != totals[DAYS[1]]


def test_the_history_is_published(snapshot_runs, wh_conn):
    audit = wh_conn.execute("select count(*) from audit.fct_official_scores_766_history").fetchone()[0]
    published = wh_conn.execute("select count(*) from published.official_scores_766_history").fetchone()[0]
    assert published == audit > 0
    assert wh_conn.execute(
        "select has_table_privilege('motcua_reader', 'published.official_scores_766_history', 'select')"
    ).fetchone()[0]


def _reconciled_tdgq(conn) -> dict[tuple, dict]:
    """(period, as-of day, portal unit code) -> the to-date reconciliation's TDGQ row."""
    cur = conn.execute(
        """select period, as_of_date, portal_unit_code, gso_unit_code, own_numerator, own_denominator,
                  own_points, official_points, own_points_difference, on_time_rate_gap_pp
           from audit.fct_scorecard_766_reconciliation_to_date where indicator_code = 'TDGQ'"""
    )
    names = [c.name for c in cur.description]
    return {(r[0], r[1], r[2]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def test_own_figures_to_date_reconcile_with_each_days_snapshot(snapshot_runs, wh_conn):
    """Each day's TDGQ: Motcua's own counters through the day equal what the simulator counted
    from the same dossiers as of that day, the portal's side differs only where it was made to."""
    rows = _reconciled_tdgq(wh_conn)
    checked_in_sync = checked_injected = 0
    for period_type, period in PERIODS:
        for day in DAYS:
            truth = injected_differences(PORTAL_PROVINCE_CODE, period_type, period, PROFILE, UNITS, as_of=day)
            differences = {d["portal_code"]: d for d in truth["differences"]}
            for code, record in served(period_type, period, day).items():
                row = rows[(period, day, code)]
                if record["childGroup"] == "PROVINCE":
                    assert row["own_numerator"] is None, row  # own counters are per unit
                    continue
                official = record["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]
                assert row["official_points"] == Decimal(str(official["score"])), row
                if code in differences:
                    own = differences[code]["counters"]["TDGQ"]["own"]
                    assert (row["own_numerator"], row["own_denominator"]) == (own["totalOnTime"], own["totalReceived"])
                    checked_injected += 1
                else:
                    assert (row["own_numerator"], row["own_denominator"]) == (
                        official["totalOnTime"],
                        official["totalReceived"],
                    ), row
                    assert row["own_points_difference"] == 0, row
                    checked_in_sync += 1
    assert checked_in_sync and checked_injected, "both kinds of unit must be checked"
    # A running period moves: some unit's own counters differ from one day to the next.
    assert any(
        rows[(p, DAYS[0], c)]["own_denominator"] != rows[(p, DAYS[1], c)]["own_denominator"]
        for (p, d, c) in rows
        if d == DAYS[0] and rows[(p, d, c)]["own_denominator"] is not None
    )


def test_the_to_date_reconciliation_is_published_day_by_day(snapshot_runs, wh_conn):
    audit = wh_conn.execute(
        "select as_of_date, count(*) from audit.fct_scorecard_766_reconciliation_to_date group by 1 order by 1"
    ).fetchall()
    published = wh_conn.execute(
        "select as_of_date, count(*) from published.scorecard_766_reconciliation_to_date group by 1 order by 1"
    ).fetchall()
    assert [d for d, _ in audit] == list(DAYS)
    assert published == audit
    # The release's change scope is the scoring: the second run's publish reached its day's scoring.
    (upto,) = wh_conn.execute(
        "select published_upto from ops.publish_watermarks where mart = 'fct_scorecard_766_reconciliation_to_date'"
    ).fetchone()
    assert upto == wh_conn.execute("select max(score_seq) from scoring.indicator_score_snapshots").fetchone()[0]
    assert wh_conn.execute(
        "select has_table_privilege('motcua_reader', 'published.scorecard_766_reconciliation_to_date', 'select')"
    ).fetchone()[0]


def test_a_past_day_cannot_be_pulled_from_the_real_portal(monkeypatch):
    monkeypatch.delenv("MOTCUA_PORTAL_SERVES_AS_OF", raising=False)
    interval = (datetime(2025, 8, 14, 6), datetime(2025, 8, 15, 6))
    with pytest.raises(ConfigError, match="keeps no history"):
        tasks.extract_load_portal_snapshot("H41", "year", "2025", interval, date(2025, 8, 14))
