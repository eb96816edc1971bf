"""Issue 5's proof: the portal DAG end to end with dag.test(), then a run that must not publish.

Motcua's own side needs dossiers, so the module first runs motcua_reference and one
motcua_daily run that pulls the whole month (``initial_load_from`` its first day), then
motcua_portal for that month. The simulator serves both feeds; its portal arithmetic is
independent of ``motcua.scoring``, and ``injected_differences`` says which units it made
disagree with Motcua's own counts (dossiers that never reached the portal or reached it
without their completion). The figures in the warehouse are checked against both.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from motcua.cli import daily_run_date, portal_run_date, run_dag
from motcua.cli.main import main
from motcua.config import PostgresTarget, load_settings
from motcua.domain import TIME_ZONE_NAME
from motcua.feeds.portal import period_body
from motcua.orchestration import tasks
from motcua.orchestration.dbt import PORTAL_RECONCILE
from motcua.orchestration.tasks import release_views
from motcua.runtime import export_feed_connection
from motcua.scoring.portal_sources import API_ENDPOINTS, assemble_api_records
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.models import PortalEvaluationRequest
from motcua_simulator.portal import (
    PORTAL_PROVINCE_CODE,
    PORTAL_UNIT_MAP,
    UNKNOWN_METRIC_CODE,
    injected_differences,
)
from motcua_simulator.portal_api import api_response, root_department_id
from motcua_simulator.server import running_simulator

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from headless_browser import open_file, open_local_site, screenshot

# Three 2025 communes of the former Huyện Nam Đàn. With this seed the simulator injects
# own-vs-portal differences into two of them (17935, 17950) and leaves 17971 in sync.
UNITS = frozenset({"17935", "17950", "17971"})
SEED, SCALE = 11, 0.3
PROFILE = SimulationProfile(seed=SEED, scale=SCALE)
MONTH = date(2025, 7, 1)  # after the reform (communes are portal units); closes no quarter
PERIOD = f"{MONTH:%Y-%m}"
LAST_DAY = date(2025, 7, 31)
CHECKED_GROUPS = ("TDGQ", "CKMB", "MDSH", "MDHL", "TTTT")
TOLERANCE_ENV = "MOTCUA_RECONCILE_ONTIME_TOLERANCE_PP"
_SINGLE_SECTIONS = {
    "TDGQ_TienDoGiaiQuyet": "TDGQ",
    "ONLINE_DichVuTrucTuyen": "ONLINE",
    "TTTT_ThanhToanTrucTuyen": "TTTT",
}
_METRIC_SECTIONS = {"CKMB_CongKhaiMinhBach": "CKMB", "MDSH_SoHoaHoSo": "MDSH", "MDHL_MucDoHaiLong": "MDHL"}


def served() -> dict:
    """What the portal's seven endpoints serve for the period (unknown metric included), one
    record per unit and one for the province's own node, as the client assembles them."""
    body = {**period_body("month", PERIOD), "pageSize": 300, "currentPage": 1, "rootDepartmentId": root_department_id()}
    responses = {
        endpoint: api_response(endpoint, dict(body), PROFILE, UNITS, include_unknown_metric=True)
        for endpoint in API_ENDPOINTS
    }
    return {"data": assemble_api_records(responses)}


def served_units() -> list[dict]:
    """The served records of units (the province's own node left out)."""
    return [r for r in served()["data"] if r["childGroup"] != "PROVINCE"]


def truth() -> dict:
    return injected_differences(PORTAL_PROVINCE_CODE, "month", PERIOD, PROFILE, UNITS, include_unknown_metric=True)


def served_metrics() -> dict[tuple[str, str], dict]:
    """(portal unit code, indicator code) -> {group, score} for every metric the portal served."""
    out: dict[tuple[str, str], dict] = {}
    for record in served()["data"]:
        sections = record["componentIndicators"]
        for section, group in _SINGLE_SECTIONS.items():
            out[(record["departmentCode"], group)] = {"group": group, **sections[section]}
        for section, group in _METRIC_SECTIONS.items():
            for metric in sections[section]["metrics"]:
                out[(record["departmentCode"], metric["code"])] = {"group": group, **metric}
    return out


def units_by_portal_code() -> dict[str, str | None]:
    return {r.portal_code: r.gso_unit_code for r in PORTAL_UNIT_MAP}


def simulator_app():
    """The simulator, its portal feed also publishing a metric Motcua's indicator table lacks."""
    from fastapi import FastAPI

    from motcua_simulator.app import create_app

    app = FastAPI()

    @app.post("/api/v1/reporting/evaluation/{endpoint}", status_code=201)
    def evaluation(endpoint: str, body: PortalEvaluationRequest) -> dict:
        return api_response(endpoint, body.model_dump(), PROFILE, UNITS, include_unknown_metric=True)

    app.mount("/", create_app(PROFILE, unit_codes=set(UNITS)))
    return app


@pytest.fixture(scope="module", autouse=True)
def _dbt_behavior_flags_do_not_pile_up():
    """Keep in-process dbt from slowing down with every invocation (a dbt-adapters 1.24 bug).

    ``BaseAdapter.behavior``'s setter extends the module-level ``DEFAULT_BASE_BEHAVIOR_FLAGS``
    list with the adapter's own flags, so each adapter created in this process (cosmos runs dbt
    in-process under ``dag.test()``: one or more per dbt task) adds one more flag, and every flag
    of every later adapter walks the whole call stack with ``inspect.stack()``. After the other
    modules' DAG runs a dbt task took 15-20 s instead of 3-4 s. Here the list is cut back to its
    distinct flags (later modules start afresh too) and, while this module runs, the setter
    leaves it alone.
    """
    from dbt.adapters.base import impl
    from dbt_common.behavior_flags import Behavior

    names: set[str] = set()
    impl.DEFAULT_BASE_BEHAVIOR_FLAGS[:] = [
        flag for flag in impl.DEFAULT_BASE_BEHAVIOR_FLAGS if not (flag["name"] in names or names.add(flag["name"]))
    ]

    def set_behavior(adapter, flags: list) -> None:
        adapter._behavior = Behavior([*flags, *adapter._behavior_flags], getattr(adapter.config, "flags", {}))

    patch = pytest.MonkeyPatch()
    patch.setattr(impl.BaseAdapter, "behavior", impl.BaseAdapter.behavior.setter(set_behavior))
    yield
    patch.undo()


@pytest.fixture(scope="module")
def feed(airflow_db, reset_warehouse):
    reset_warehouse()
    with running_simulator(None, seed=SEED, scale=SCALE, app=simulator_app()) as url:
        export_feed_connection(url)
        yield url
    reset_warehouse()


@pytest.fixture(scope="module")
def portal_run(feed):
    """(reference, daily, portal) run states: the month's dossiers first, then the portal's scores."""
    return (
        run_dag("motcua_reference"),
        run_dag("motcua_daily", daily_run_date(LAST_DAY), {"initial_load_from": MONTH.isoformat()}),
        run_dag("motcua_portal", portal_run_date(MONTH)),
    )


def _rows(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    cur = conn.execute(query, params)
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_the_simulator_injects_differences_and_leaves_units_in_sync():
    """The precondition: without both kinds of unit the test below would prove nothing."""
    listed = {r["departmentCode"] for r in served_units()}
    differences = truth()["differences"]
    injected = {d["portal_code"] for d in differences}
    assert {d["kind"] for d in differences} == {"UNSYNCED_DOSSIERS"}
    assert injected, "no injected difference: the reconciliation would be checked vacuously"
    assert listed - injected, "no unit in sync: the agreement of both sides would be checked vacuously"
    assert injected <= listed
    assert {units_by_portal_code()[code] for code in listed} == set(UNITS)
    # At least one injected difference moves the TDGQ points, not only the counters.
    assert any(d["points"]["TDGQ"]["own"] != d["points"]["TDGQ"]["portal"] for d in differences)
    assert {f["metric"] for f in truth()["features"] if f["feature"] == "UNKNOWN_METRIC"} == {UNKNOWN_METRIC_CODE}


def test_portal_run_succeeds(portal_run, wh_conn):
    assert portal_run == ("success", "success", "success")
    run_id = wh_conn.execute("select run_id from ops.publish_log order by publish_id desc limit 1").fetchone()[0]
    suites = dict(
        wh_conn.execute("select suite_name, success from ops.validation_runs where run_id = %s", (run_id,)).fetchall()
    )
    # The reconciliation suite ran (it is skipped when its mart does not exist) and passed.
    assert suites.get("fct_scorecard_766_reconciliation") is True
    # The run validated and published exactly the portal marts it built: not the dossier fact or
    # the scorecards the daily runs before it published.
    portal_views = release_views(PORTAL_RECONCILE.marts())
    (published,) = wh_conn.execute("select relations from ops.publish_log where run_id = %s", (run_id,)).fetchone()
    validated = wh_conn.execute(
        "select distinct relation from ops.validation_runs where run_id = %s", (run_id,)
    ).fetchall()
    assert set(published) == {f"published.{v.view}" for v in portal_views}, published
    assert {relation for (relation,) in validated} == {v.relation for v in portal_views}, validated


def test_recomputed_points_equal_the_portals_in_every_unit(portal_run, wh_conn):
    expected = served_metrics()
    rows = _rows(
        wh_conn,
        """select portal_unit_code, gso_unit_code, indicator_code, group_code, known_indicator,
                  official_points, recomputed_points
           from audit.fct_official_scores_766 where period_type = 'month' and period = %s""",
        PERIOD,
    )
    # Every unit and every metric the portal served is there once, and nothing else.
    assert sorted((r["portal_unit_code"], r["indicator_code"]) for r in rows) == sorted(expected)
    units = units_by_portal_code()
    unit_rows = [r for r in rows if r["portal_unit_code"] != PORTAL_PROVINCE_CODE]
    assert {r["gso_unit_code"] for r in unit_rows} == set(UNITS)
    assert all(units[r["portal_unit_code"]] == r["gso_unit_code"] for r in unit_rows)
    checked = 0
    for row in rows:
        metric = expected[(row["portal_unit_code"], row["indicator_code"])]
        assert row["group_code"] == metric["group"], row
        official = None if metric["score"] is None else Decimal(str(metric["score"]))
        assert row["official_points"] == official, row
        if not row["known_indicator"] or row["group_code"] not in CHECKED_GROUPS:
            continue
        checked += 1
        if official is None:  # classification metrics: tracked, 0 points
            assert row["recomputed_points"] in (None, 0), row
        else:
            assert abs(row["recomputed_points"] - official) <= Decimal("0.01"), row
    assert checked >= len(UNITS) * 10
    # ONLINE: the portal publishes no counters for a child unit, so it is shown, never checked.
    online = {row["portal_unit_code"]: row for row in rows if row["indicator_code"] == "ONLINE"}
    province = online.pop(PORTAL_PROVINCE_CODE)
    assert len(online) == len(UNITS) and all(row["recomputed_points"] is None for row in online.values()), online
    # The province's own node carries ONLINE's counters: recomputed to the cent.
    assert province["recomputed_points"] == province["official_points"] is not None, province
    # Group level: the known metrics' recomputed points add up to the portal's group score.
    group_sums = _rows(
        wh_conn,
        """select portal_unit_code, group_code, sum(coalesce(recomputed_points, 0)) as recomputed
           from audit.fct_official_scores_766
           where period = %s and known_indicator group by 1, 2""",
        PERIOD,
    )
    recomputed = {(r["portal_unit_code"], r["group_code"]): r["recomputed"] for r in group_sums}
    for record in served()["data"]:
        code = record["departmentCode"]
        unknown = sum(
            Decimal(str(m["score"]))
            for m in record["componentIndicators"]["MDSH_SoHoaHoSo"]["metrics"]
            if m["code"] == UNKNOWN_METRIC_CODE
        )
        for group in CHECKED_GROUPS:
            official = Decimal(str(record["groupScores"][group])) - (unknown if group == "MDSH" else 0)
            assert abs(recomputed[(code, group)] - official) <= Decimal("0.01"), (code, group)


def test_an_unknown_metric_code_is_kept_not_scored(portal_run, wh_conn):
    served_unknown = {
        code: Decimal(str(m["score"]))
        for (code, indicator), m in served_metrics().items()
        if indicator == UNKNOWN_METRIC_CODE
    }
    assert served_unknown
    rows = wh_conn.execute(
        """select portal_unit_code, known_indicator, official_points, recomputed_points
           from published.official_scores_766 where period = %s and indicator_code = %s""",
        (PERIOD, UNKNOWN_METRIC_CODE),
    ).fetchall()
    assert {code: (known, official, recomputed) for code, known, official, recomputed in rows} == {
        code: (False, score, None) for code, score in served_unknown.items()
    }
    # It is not part of the reconciliation, which covers the indicators Motcua knows.
    assert (
        wh_conn.execute(
            "select count(*) from audit.fct_scorecard_766_reconciliation where indicator_code = %s",
            (UNKNOWN_METRIC_CODE,),
        ).fetchone()[0]
        == 0
    )


def _reconciled_tdgq(conn: psycopg.Connection) -> dict[str, dict]:
    rows = _rows(
        conn,
        """select r.portal_unit_code, r.gso_unit_code, r.own_numerator, r.own_denominator, r.own_points,
                  r.official_points, r.own_points_difference, r.own_rate_percent, r.official_rate_percent,
                  r.on_time_rate_gap_pp, o.numerator as official_numerator, o.denominator as official_denominator
           from audit.fct_scorecard_766_reconciliation r
           join audit.fct_official_scores_766 o using (period_type, period, portal_unit_code, indicator_code)
           where r.period_type = 'month' and r.period = %s and r.indicator_code = 'TDGQ'""",
        PERIOD,
    )
    return {r["portal_unit_code"]: r for r in rows}


def test_reconciliation_shows_the_injected_differences(portal_run, wh_conn):
    tdgq = _reconciled_tdgq(wh_conn)
    differences = {d["portal_code"]: d for d in truth()["differences"]}
    assert set(tdgq) == {r["departmentCode"] for r in served()["data"]}
    for code, diff in differences.items():
        row = tdgq[code]
        own, portal = diff["counters"]["TDGQ"]["own"], diff["counters"]["TDGQ"]["portal"]
        assert (row["own_numerator"], row["own_denominator"]) == (own["totalOnTime"], own["totalReceived"]), row
        assert (row["official_numerator"], row["official_denominator"]) == (
            portal["totalOnTime"],
            portal["totalReceived"],
        ), row
        assert (row["own_numerator"], row["own_denominator"]) != (
            row["official_numerator"],
            row["official_denominator"],
        )
        points = diff["points"]["TDGQ"]
        assert row["own_points"] == Decimal(str(points["own"])), row
        assert row["own_points_difference"] == Decimal(str(points["own"])) - Decimal(str(points["portal"])), row
        if points["own"] != points["portal"]:
            assert row["own_points_difference"] != 0, row
        rates = diff["on_time_rate_percent"]
        assert abs(
            row["on_time_rate_gap_pp"] - abs(Decimal(str(rates["own"])) - Decimal(str(rates["portal"])))
        ) <= Decimal("0.01"), row


def test_units_in_sync_agree_with_the_portal(portal_run, wh_conn):
    tdgq = _reconciled_tdgq(wh_conn)
    # The province's own node has no own counterpart (own counters are per unit).
    in_sync = set(tdgq) - {d["portal_code"] for d in truth()["differences"]} - {PORTAL_PROVINCE_CODE}
    assert in_sync
    for code in in_sync:
        row = tdgq[code]
        assert (row["own_numerator"], row["own_denominator"]) == (
            row["official_numerator"],
            row["official_denominator"],
        ), row
        assert row["own_points_difference"] == 0, row
        # The portal publishes its rate rounded to 2 decimals; Motcua's own is exact.
        assert row["on_time_rate_gap_pp"] <= Decimal("0.005"), row


def test_published_reconciliation_has_the_rows(portal_run, wh_conn):
    audit = wh_conn.execute(
        "select count(*) from audit.fct_scorecard_766_reconciliation where period = %s", (PERIOD,)
    ).fetchone()[0]
    assert audit > 0
    published = wh_conn.execute(
        "select count(*), count(distinct portal_unit_code) from published.scorecard_766_reconciliation "
        "where period = %s",
        (PERIOD,),
    ).fetchone()
    assert published == (audit, len(served()["data"]))
    can_read = wh_conn.execute(
        "select has_table_privilege('motcua_reader', 'published.scorecard_766_reconciliation', 'select')"
    ).fetchone()[0]
    assert can_read


def _vn(value, digits: int = 0) -> str:
    """The test's own Vietnamese formatting (1.234,5), independent of the report's."""
    text = f"{float(value):,.{digits}f}"
    return text.translate(str.maketrans({",": ".", ".": ","}))


def _cell(page, row: str, figure: str, section: str = "#units") -> str:
    return page.locator(f'{section} tr[{row}] td[data-figure="{figure}"]').inner_text().strip()


def test_the_scorecard_report_shows_the_published_figures_in_a_browser(portal_run, wh_conn, tmp_path):
    """``motcua report`` on what the runs published, opened in headless Chromium as a leader would:
    the units by their Vietnamese names, every chart drawn, two units' figures equal to the
    published tables, the late dossiers' drill-down, and no request leaving the file."""
    assert portal_run == ("success", "success", "success")
    out = tmp_path / "report.html"
    assert main(["report", "--month", PERIOD, "--out", str(out)]) == 0
    units = _rows(
        wh_conn,
        """select s.scorecard_unit_key, s.scorecard_unit_code, u.unit_full_name, s.received_count,
                  s.settled_count, s.on_time_rate, s.late_count
           from published.scorecards_monthly s join published.units u on u.unit_key = s.scorecard_unit_key
           where s.aggregation_level = 'unit' and s.period_start_date = %s order by 1""",
        MONTH,
    )
    # The three 2025 communes receive and settle; the other units listed are desks that received
    # dossiers for them (Decree 118/2025), with nothing of their own in this warehouse.
    assert {u["scorecard_unit_code"] for u in units if u["received_count"]} == set(UNITS)
    desks = [u for u in units if u["scorecard_unit_code"] not in UNITS]
    assert all(u["received_count"] == u["settled_count"] == 0 for u in desks), desks
    official = dict(
        wh_conn.execute(
            "select gso_unit_code, sum(official_points) from published.official_scores_766 "
            "where period_type = 'month' and period = %s group by 1",
            (PERIOD,),
        ).fetchall()
    )
    late = _rows(
        wh_conn,
        """select procedure_code, dossier_code from published.dossiers
           where completion_class = 'late'
             and (completed_at at time zone %s)::date between %s and %s""",
        TIME_ZONE_NAME,
        MONTH,
        LAST_DAY,
    )
    with open_file(out) as page:
        text = page.inner_text("body")
        assert "tháng 07/2025" in text
        for unit in units:
            assert unit["unit_full_name"] in text, unit
        # Every chart drawn: an SVG with marks in it, laid out with a size.
        drawn = {}
        for figure in page.locator("figure.chart").all():
            name = figure.get_attribute("data-chart")
            box = figure.locator("svg").bounding_box()
            marks = figure.locator("svg g[class*='mark-'] path, svg g[class*='mark-'] line").count()
            drawn[name] = (box["width"] > 100 and box["height"] > 50, marks > 0)
        expected = {"trend_rates", "trend_volumes", "unit_on_time", "portal_points", "own_vs_official"}
        expected |= {"late_procedures"} if late else set()
        assert expected <= set(drawn), drawn
        assert all(size and marks for size, marks in drawn.values()), drawn
        # Two sampled units: what a person reads equals the published tables.
        sampled = [u for u in units if u["received_count"]]
        for unit in (sampled[0], sampled[-1]):
            row = f'data-unit-key="{unit["scorecard_unit_key"]}"'
            assert _cell(page, row, "received_count") == _vn(unit["received_count"])
            assert _cell(page, row, "settled_count") == _vn(unit["settled_count"])
            assert _cell(page, row, "late_count") == _vn(unit["late_count"])
            assert _cell(page, row, "on_time_rate") == _vn(100 * unit["on_time_rate"], 1) + "%"
            code = unit["scorecard_unit_code"]
            total = _cell(page, f'data-unit-code="{code}"', "total_points", "#portal").split(" / ")[0]
            assert total == _vn(official[code], 2)
        # The late dossiers' drill-down opens on the procedure's dossiers.
        if late:
            procedure = late[0]["procedure_code"]
            row = page.locator(f'#late tr[data-procedure-code="{procedure}"]')
            assert row.locator('td[data-figure="late_count"]').inner_text() == _vn(
                sum(1 for d in late if d["procedure_code"] == procedure)
            )
            listed = row.locator("details table.dossiers")
            assert not listed.is_visible()
            row.locator("summary").click()
            assert listed.is_visible()
            shown = set(
                listed.locator("tr[data-dossier-code]").evaluate_all("rows => rows.map(r => r.dataset.dossierCode)")
            )
            assert shown == {d["dossier_code"] for d in late if d["procedure_code"] == procedure}
        print("report screenshot:", screenshot(page, "scorecard_report.png"))


def test_dbt_docs_describe_the_built_marts_and_the_reports_lineage(portal_run):
    """`motcua dbt-docs` writes the docs site from the warehouse dbt built: the catalogue has the
    marts' columns as PostgreSQL holds them, the manifest the report's exposure."""
    assert main(["dbt-docs"]) == 0
    site = load_settings().dbt_docs_dir
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    columns = catalog["nodes"]["model.motcua.fct_scorecard_monthly"]["columns"]
    assert {"on_time_rate", "tdgq_points", "scorecard_unit_code"} <= set(columns)
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    exposure = manifest["exposures"]["exposure.motcua.scorecard_report"]
    assert "model.motcua.fct_scorecard_766_reconciliation" in exposure["depends_on"]["nodes"]
    assert (site / "index.html").stat().st_size > 10_000  # dbt's single-page docs app


def test_a_commune_logins_report_shows_only_its_commune(portal_run, warehouse, tmp_path, monkeypatch):
    """The report reads ``published`` as any BI login does: a commune's login gets its commune."""
    commune = sorted(UNITS)[1]
    base = PostgresTarget.from_url(warehouse.url)
    login, password = f"bi_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    monkeypatch.setenv("MOTCUA_BI_PASSWORD", password)
    assert main(["bi-login", "create", login, "--units", commune]) == 0
    try:
        out = tmp_path / "commune.html"
        reader = PostgresTarget(base.host, base.port, login, password, base.dbname).libpq_url()
        assert main(["report", "--url", reader, "--out", str(out)]) == 0
        html = out.read_text(encoding="utf-8")
        section = html[html.index('<section id="units">') : html.index('<section id="trends">')]
        shown = set(re.findall(r'<tr data-unit-code="([^"]+)"', section))
        assert shown == {commune}, shown
        assert f"đăng nhập (login) {login}" in html
    finally:
        assert main(["bi-login", "drop", login]) == 0


def test_on_time_gap_above_tolerance_fails_validation_and_publishes_nothing(portal_run, wh_conn, monkeypatch):
    assert portal_run[2] == "success"
    gaps = {
        d["portal_code"]: abs(
            Decimal(str(d["on_time_rate_percent"]["own"])) - Decimal(str(d["on_time_rate_percent"]["portal"]))
        )
        for d in truth()["differences"]
    }
    largest = max(gaps.values())
    tolerance = largest / 2
    assert tolerance > Decimal("0.01"), "the injected gaps are too small to tell from rounding"
    too_far = {code for code, gap in gaps.items() if gap > tolerance}
    published_sql = (
        "select * from published.scorecard_766_reconciliation order by portal_unit_code, period, indicator_code"
    )
    before = wh_conn.execute("select count(*), max(publish_id) from ops.publish_log").fetchone()
    published_before = wh_conn.execute(published_sql).fetchall()
    assert published_before
    alerts_before = wh_conn.execute("select coalesce(max(alert_id), 0) from ops.alerts").fetchone()[0]
    validations_before = wh_conn.execute(
        "select coalesce(max(validation_run_id), 0) from ops.validation_runs"
    ).fetchone()[0]

    monkeypatch.setenv(TOLERANCE_ENV, str(tolerance))  # the validate task reads it when it runs
    # Same month, another run (an hour later, the same data interval).
    state = run_dag("motcua_portal", portal_run_date(MONTH) + timedelta(hours=1))

    assert state == "failed"
    assert wh_conn.execute("select count(*), max(publish_id) from ops.publish_log").fetchone() == before
    assert wh_conn.execute(published_sql).fetchall() == published_before
    failed = _rows(
        wh_conn,
        """select run_id, failed_expectations, result from ops.validation_runs
           where suite_name = 'fct_scorecard_766_reconciliation' and not success and validation_run_id > %s""",
        validations_before,
    )
    assert len(failed) == 1, "no failed validation recorded"
    (failure,) = failed[0]["result"]  # only the on-time tolerance failed, not the recomputation
    assert failed[0]["failed_expectations"] == 1
    assert failure["kwargs"]["column"] == "on_time_rate_gap_pp"
    assert Decimal(str(failure["kwargs"]["max_value"])) == tolerance
    assert failure["unexpected_count"] == len(too_far)
    alerts = _rows(
        wh_conn,
        "select severity, message, details from ops.alerts where alert_id > %s and source = 'validation_gate'",
        alerts_before,
    )
    assert len(alerts) == 1
    assert alerts[0]["severity"] == "critical"
    assert "fct_scorecard_766_reconciliation" in alerts[0]["message"]
    assert alerts[0]["details"]["run_id"] == failed[0]["run_id"]


def test_map_units_proposes_the_unit_map_from_names(portal_run, tmp_path, capsys, monkeypatch):
    """Against the warehouse's units: the simulator's names give back its unit map; the real Gia
    Lai names match nothing here (no Gia Lai units in the reference data) and are reported."""
    monkeypatch.setenv("COLUMNS", "160")
    body = {**period_body("month", PERIOD), "pageSize": 300, "currentPage": 1, "rootDepartmentId": root_department_id()}
    folder = tmp_path / "h41"
    folder.mkdir()
    for endpoint in API_ENDPOINTS:
        answer = api_response(endpoint, dict(body), PROFILE, UNITS)
        (folder / f"api_{endpoint}.json").write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "portal_unit_map.csv"
    assert main(["portal", "map-units", str(folder), "--on", LAST_DAY.isoformat(), "--out", str(out)]) == 0
    assert f"{len(UNITS) + 1} portal units" in capsys.readouterr().out
    proposed = {row["portal_code"]: row["gso_unit_code"] or None for row in csv.DictReader(out.open(encoding="utf-8"))}
    expected = {code: gso for code, gso in units_by_portal_code().items() if gso in UNITS}
    assert proposed == {**expected, PORTAL_PROVINCE_CODE: None}

    gia_lai = Path(__file__).parents[1] / "corpus" / "portal"
    assert main(["portal", "map-units", str(gia_lai), "--on", "2026-10-10"]) == 1
    report = capsys.readouterr().out
    assert "4 agency, 1 province, 6 unmatched" in report
    assert "UBND xã Vân Canh" in report and "Sở Khoa học" not in report


def test_portal_communes_without_a_statistics_office_code_are_alerted(portal_run, wh_conn):
    """Another province's saved export, imported and scored: its communes are not in the unit
    map, so their scores cannot be reconciled, and one alert says which."""
    export = Path(__file__).parents[1] / "corpus" / "portal" / "crawler_export_communes.json"
    assert main(["portal", "import", str(export)]) == 0
    summary = tasks.score_periods("H21", [{"period_type": "year", "period": "2026"}], "test-unmapped")
    assert summary["unmapped_units"] == ["H21.125", "H21.198", "H21.203", "H21.227"]
    (title, details) = wh_conn.execute(
        "select message, details from ops.alerts where dedup_key = 'unmapped:motcua_portal:test-unmapped'"
    ).fetchone()
    assert "H21.125" in title and "UBND xã Vân Canh" not in title
    assert details["unmapped"] == summary["unmapped_units"]
    # The simulated province's own units are all mapped: its month raised no such alert.
    assert (
        tasks.score_periods(PORTAL_PROVINCE_CODE, [{"period_type": "month", "period": PERIOD}])["unmapped_units"] == []
    )


# --- Superset, provisioned from superset/ against this module's warehouse --------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def superset_site(portal_run, warehouse):
    """Superset provisioned from the files under version control (`make superset` installed it;
    `make test` does), reading this warehouse as the BI login motcua_superset, served on a free port."""
    from motcua.bi import superset
    from motcua.publishing import readers

    settings = load_settings()
    files = superset.SupersetFiles(settings.project_dir, settings.state_dir / "superset")
    password = "superset-" + uuid.uuid4().hex
    with psycopg.connect(warehouse.url) as conn:
        readers.create_login(conn, superset.SUPERSET_LOGIN, password, [])
    try:
        env = superset.provision(files, warehouse.target, password)
        with superset.serving(files, env, _free_port()) as url:
            yield url, superset.admin_password(files)
    finally:
        with psycopg.connect(warehouse.url) as conn:
            readers.drop_login(conn, superset.SUPERSET_LOGIN)


def _number(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ""))


def test_superset_shows_the_scorecard_dashboard_with_the_warehouses_numbers(superset_site, wh_conn):
    """The provisioned dashboard in headless Chromium: all three charts drawn, the province's
    dossiers received and each unit's row equal to the published scorecard, nothing fetched from
    outside this machine; the screenshot is kept."""
    from motcua.bi.superset import ADMIN_USER, DASHBOARD_SLUG

    url, admin_password = superset_site
    received = wh_conn.execute(
        "select sum(received_count) from published.scorecards_monthly where aggregation_level = 'province'"
    ).fetchone()[0]
    units = _rows(
        wh_conn,
        """select coalesce(u.unit_name, s.scorecard_unit_code) as unit_name, s.scorecard_unit_code,
                  sum(s.received_count) as received, sum(s.late_count) as late
           from published.scorecards_monthly s left join published.units u on u.unit_key = s.scorecard_unit_key
           where s.aggregation_level = 'unit' group by 1, 2""",
    )
    assert received and units
    with open_local_site(url) as page:
        page.goto(f"{url}/login/")
        page.fill("input#username", ADMIN_USER)
        page.fill("input#password", admin_password)
        page.click('[data-test="login-button"]')
        page.wait_for_url(lambda u: "/login" not in u, timeout=60_000)
        page.goto(f"{url}/superset/dashboard/{DASHBOARD_SLUG}/?standalone=1")
        cells = page.locator('[data-test="chart-grid-component"]')
        page.wait_for_function(
            """() => document.querySelectorAll('[data-test="chart-grid-component"]').length === 3
                     && !document.querySelector('[data-test="loading-indicator"]')""",
            timeout=120_000,
        )
        by_type = {cells.nth(i).get_attribute("data-test-viz-type"): cells.nth(i) for i in range(cells.count())}
        assert set(by_type) == {"big_number_total", "echarts_timeseries_bar", "table"}, by_type
        big = by_type["big_number_total"].locator(".header-line")
        big.wait_for(timeout=60_000)
        assert _number(big.inner_text()) == received
        by_type["echarts_timeseries_bar"].locator("canvas").first.wait_for(timeout=60_000)
        rows = by_type["table"].locator("table tbody tr")
        rows.first.wait_for(timeout=60_000)
        # (unit name, code) -> received, late: a 2025 commune may reuse an old commune's code.
        shown = {}
        for i in range(rows.count()):
            name, code, received_text, late_text, *_ = (c.strip() for c in rows.nth(i).locator("td").all_inner_texts())
            shown[(name, code)] = (_number(received_text), _number(late_text))
        assert shown == {(u["unit_name"], u["scorecard_unit_code"]): (u["received"], u["late"]) for u in units}
        assert "Kết quả giải quyết TTHC" in page.inner_text("body")
        page.wait_for_timeout(1500)  # ECharts grows its bars from zero: let the screenshot show them whole
        screenshot(page, "superset_scorecard_dashboard.png")
