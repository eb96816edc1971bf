"""The scorecard report's rendering, on figures built by hand (no warehouse): the numbers written
the Vietnamese way, every section drawn or saying it has no data, nothing that would reach the
network, and the charts' specifications. The report on a real warehouse, opened in Chromium, is
tested in ``tests/integration/test_portal_pipeline.py``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from motcua.cli.main import main
from motcua.domain import REFORM_DATE
from motcua.reporting import charts
from motcua.reporting.data import LATE_PROCEDURES_LISTED, SCORECARD_FIGURES, ReportData
from motcua.reporting.render import GROUP_LABELS, number, percent, render, signed
from motcua.scoring.portal import SECTION_GROUPS


def test_numbers_use_vietnamese_separators():
    assert number(1234567) == "1.234.567"
    assert number(Decimal("1234.5"), 1) == "1.234,5"
    assert number(0) == "0"
    assert number(None) == "–"
    assert percent(Decimal("0.9534")) == "95,3%"
    assert percent(1) == "100,0%"
    assert percent(None) == "–"
    assert percent(Decimal("0.5"), 0) == "50%"
    assert signed(Decimal("1.5")) == "+1,50"
    assert signed(-0.25) == "−0,25"
    assert signed(0) == "0,00"


def test_every_decision_766_group_has_a_label_in_the_portals_order():
    assert tuple(GROUP_LABELS) == tuple(SECTION_GROUPS.values())


def _scorecard(**figures) -> dict:
    # Every figure the report reads (the counts 0), then the rates and points.
    row = dict.fromkeys(SCORECARD_FIGURES, 0)
    row.update(
        on_time_rate=Decimal("0.9"),
        apology_coverage_rate=None,
        online_share=Decimal("0.5"),
        digitised_share=Decimal("0.25"),
        online_payment_share=None,
        tdgq_points=Decimal("18.5"),
        tdgq_max_points=Decimal("20"),
    )
    row.update(figures)
    return row


def _data(**overrides) -> ReportData:
    june, july = date(2025, 6, 1), date(2025, 7, 1)
    unit = _scorecard(received_count=1234, late_count=3, on_time_rate=Decimal("0.9534"))
    unit.update(
        unit_key="17935:2025-07-01",
        unit_code="17935",
        abolished_on=None,
        unit_name="Xã Kim Liên <mới>",
        unit_name_en="Kim Lien Commune",
        unit_level="commune",
        satisfaction_rate=Decimal("0.98"),
        ratings_count=50,
        e_signature_rate=None,
        late_documents_count=0,
    )
    data = ReportData(
        month=july,
        months=[june, july],
        data_as_of=datetime(2025, 7, 31, 17, tzinfo=UTC),
        units=[unit],
        rollups=[{**_scorecard(), "aggregation_level": "province", "unit_code": "40", "unit_name": "Tỉnh Nghệ An"}],
        trend=[
            {**_scorecard(), "month": june, "online_share": Decimal("0.4")},
            {**_scorecard(), "month": july},
        ],
        portal_groups=[
            {
                "portal_unit_code": "P1",
                "gso_unit_code": "17935",
                "child_group": "COMMUNE",
                "group_points": {"TDGQ": 18.5, "CKMB": 17.0},
                "total_points": Decimal("35.5"),
                "total_max_points": Decimal("38"),
                "unit_name": "Xã Kim Liên",
                "portal_rank": 1,
            }
        ],
        reconciliation=[
            {
                "gso_unit_code": "17935",
                "portal_unit_code": "P1",
                "indicator_code": "TDGQ",
                "group_code": "TDGQ",
                "unit_name": "Xã Kim Liên",
                "official_points": Decimal("18.5"),
                "own_points": Decimal("17.0"),
                "own_points_difference": Decimal("-1.5"),
                "official_rate_percent": Decimal("92.5"),
                "own_rate_percent": Decimal("85.0"),
                "on_time_rate_gap_pp": Decimal("-7.5"),
                "is_estimate": False,
            }
        ],
        procedure_levels=[
            {
                "authority_level": "commune",
                "judged_on": date(2025, 7, 31),
                "procedures_in_force_count": 1200,
                "full_online_count": 300,
                "partial_online_count": 500,
                "not_online_count": 400,
                "online_service_share": Decimal("0.6667"),
                "processing_time_reductions_count": 4,
            }
        ],
        late_procedures=[
            {
                "procedure_code": f"1.00{i}",
                "procedure_name": f"Thủ tục {i}",
                "late_count": 20 - i,
                "apologised_count": 1,
                "units_count": 1,
                "days_over_avg": Decimal("2.5"),
            }
            for i in range(LATE_PROCEDURES_LISTED + 2)
        ],
        late_dossiers={
            "1.000": [
                {
                    "procedure_code": "1.000",
                    "dossier_code": "H41.17935-250701-0001",
                    "competent_unit_code": "17935",
                    "unit_name": "Xã Kim Liên",
                    "received_at": datetime(2025, 7, 1, 8),
                    "due_at": datetime(2025, 7, 3, 17),
                    "completed_at": datetime(2025, 7, 7, 9),
                    "working_days_taken": Decimal("4.2"),
                    "statutory_working_days": 3,
                    "has_apology_letter": False,
                }
            ]
        },
        reform_months=[
            {
                "unit_code": "17935",
                "unit_name": "Xã Kim Liên",
                "month": m,
                "is_history": m < REFORM_DATE,
                "received_count": 10,
                "settled_count": 9,
                "on_time_rate": Decimal("0.8"),
                "late_count": 1,
                "online_share": Decimal("0.3"),
            }
            for m in (june, july)
        ],
        successions=[
            {
                "new_unit_code": "17935",
                "old_unit_name": "Xã Nam Giang",
                "old_unit_code": "17938",
                "old_unit_level": "commune",
                "merge_type": "merge",
                "allocation_weight": Decimal("0.5"),
            }
        ],
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def test_the_report_draws_every_chart_and_reaches_nothing_outside_the_file():
    html = render(_data(), generated_at=datetime(2025, 8, 1, tzinfo=UTC))
    drawn = re.findall(r'<figure class="chart" data-chart="([a-z_]+)"><svg', html)
    assert sorted(drawn) == sorted(
        [
            "trend_rates",
            "trend_volumes",
            "unit_on_time",
            "portal_points",
            "own_vs_official",
            "procedure_levels",
            "late_procedures",
            "reform_on_time",
        ]
    )
    assert "<script" not in html.lower()
    # Only XML namespaces name an address; nothing is loaded from one.
    addresses = set(re.findall(r'(?:src|href)\s*=\s*"([^"#][^"]*)"', html))
    assert addresses == set(), addresses
    assert "@import" not in html and "url(" not in html


def test_the_report_writes_the_figures_the_vietnamese_way_and_escapes_names():
    html = render(_data())
    row = re.search(r'<tr data-unit-code="17935" data-unit-key="17935:2025-07-01">.*?</tr>', html, re.S).group(0)
    assert "Xã Kim Liên &lt;mới&gt;" in row
    assert re.search(r'data-figure="received_count">1\.234<', row)
    assert re.search(r'data-figure="on_time_rate">95,3%<', row)
    assert re.search(r'data-figure="satisfaction_rate">98,0%<', row)
    assert re.search(r'data-figure="e_signature_rate">–<', row)
    assert "tháng 07/2025" in html
    # The late dossiers: the listed procedures, the rest summed, a procedure's dossiers in its drill-down.
    assert html.count('data-procedure-code="') == LATE_PROCEDURES_LISTED
    assert "2 thủ tục khác (other procedures)" in html
    assert 'data-dossier-code="H41.17935-250701-0001"' in html
    assert "Xã Nam Giang (50%)" in html
    assert 'data-figure="own_points_difference">−1,50<' in html
    assert 'data-figure="procedures_in_force_count">1.200<' in html
    assert "đơn vị cũ, đến" not in html
    assert 'data-figure="online_service_share">66,7%<' in html


def test_a_unit_abolished_before_the_month_is_marked_as_a_former_unit():
    data = _data()
    former = {**data.units[0], "unit_key": "17935:2019-01-01", "unit_name": "Thị trấn Nam Đàn"}
    former["abolished_on"] = date(2025, 7, 1)
    data.units.append(former)
    html = render(data)
    row = re.search(r'<tr data-unit-code="17935" data-unit-key="17935:2019-01-01">.*?</tr>', html, re.S).group(0)
    assert "Thị trấn Nam Đàn" in row and "đơn vị cũ, đến 30/06/2025" in row


def test_a_section_without_data_says_so_and_draws_no_chart():
    html = render(
        _data(
            portal_groups=[],
            reconciliation=[],
            procedure_levels=[],
            late_procedures=[],
            late_dossiers={},
            reform_months=[],
        )
    )
    for chart in ("portal_points", "own_vs_official", "procedure_levels", "late_procedures", "reform_on_time"):
        assert f'data-chart="{chart}"' not in html
    assert "no official portal score published for this month" in html
    assert "no dossier settled late in this month" in html
    assert "no procedure catalogue published for this month" in html
    assert "no 2025 commune published" in html


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_the_reform_line_is_drawn_only_when_the_months_cross_it():
    before = [{**_scorecard(), "month": date(2025, m, 1)} for m in (4, 5, 6)]
    across = [*before, {**_scorecard(), "month": REFORM_DATE}]
    assert len(_layers(charts.trend_rates(before).to_dict())) == 1
    layers = _layers(charts.trend_rates(across).to_dict())
    assert [layer["mark"]["type"] for layer in layers] == ["line", "rule"]


def test_chart_values_are_the_rows_figures():
    spec = charts.unit_on_time(
        [
            {"unit_name": "Xã A", "on_time_rate": Decimal("0.5")},
            {"unit_name": "X" * 80, "on_time_rate": Decimal("1")},
            {"unit_name": "Xã C", "on_time_rate": None},
        ]
    ).to_dict()
    values = spec["data"]["values"]
    assert values[0] == {"unit": "Xã A", "rate": 0.5}
    assert len(values) == 2 and len(values[1]["unit"]) == charts.LABEL_CHARS


def test_a_chart_is_drawn_to_svg_without_script():
    svg = charts.to_svg(charts.late_procedures([{"procedure_name": "Cấp giấy phép", "late_count": 3}]))
    assert svg.startswith("<svg") and "<script" not in svg
    assert "Cấp giấy phép" in svg


@pytest.mark.parametrize("month", ["2025-13", "July"])
def test_a_month_not_written_yyyy_mm_is_one_clear_error(month, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--month", month])
    assert exit_.value.code == 2
    assert "is not a month written YYYY-MM" in capsys.readouterr().err
