"""The scorecard report as one self-contained HTML file: inline CSS, charts as inline SVG, the
drill-downs as ``<details>`` (no script), so it opens offline and can be mailed as it is.

Numbers are written the Vietnamese way (1.234 hồ sơ; 95,3%), labels in Vietnamese with English
beside them. Every figure cell carries ``data-figure`` (its published column) and every unit row
``data-unit-code``, so a reader (or a test) can find a unit's figure without parsing the layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jinja2

from motcua.reporting import charts
from motcua.reporting.data import LATE_DOSSIERS_LISTED, LATE_PROCEDURES_LISTED, ReportData

TEMPLATES = Path(__file__).parent / "templates"

#: Decision 766 groups, in the portal's order (``scoring.portal.SECTION_GROUPS``; a unit test
#: keeps both lists equal), with the names the portal shows.
GROUP_LABELS = {
    "CKMB": "Công khai, minh bạch (transparency)",
    "TDGQ": "Tiến độ giải quyết (processing progress)",
    "ONLINE": "Dịch vụ công trực tuyến (online services)",
    "TTTT": "Thanh toán trực tuyến (online payment)",
    "MDSH": "Số hoá hồ sơ (digitisation)",
    "MDHL": "Mức độ hài lòng (satisfaction)",
}

CHILD_GROUP_LABELS = {
    "PROVINCE": "Toàn tỉnh (the province as a whole)",
    "COMMUNE": "Cấp xã (communes)",
    "AGENCY": "Sở, ban, ngành (agencies)",
}
LEVEL_LABELS = {
    "province": "Tỉnh (province)",
    "district": "Huyện (district)",
    "commune": "Xã (commune)",
    "agency": "Sở, ngành (province agency)",
}
AUTHORITY_LABELS = {
    "province": "Cấp tỉnh (province)",
    "district": "Cấp huyện (district)",
    "commune": "Cấp xã (commune)",
}


def number(value: object, digits: int = 0) -> str:
    """1234.5 -> '1.234,5' (Vietnamese separators); None -> '–'."""
    if value is None:
        return "–"
    text = f"{float(value):,.{digits}f}" if digits else f"{round(float(value)):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(rate: object, digits: int = 1) -> str:
    """A rate in 0..1 as a percentage: 0.9534 -> '95,3%'; None -> '–'."""
    return "–" if rate is None else number(Decimal(str(rate)) * 100, digits) + "%"


def points(value: object) -> str:
    return number(value, 2)


def signed(value: object, digits: int = 2) -> str:
    """A difference with its sign: 1.5 -> '+1,50', -0.25 -> '−0,25'."""
    if value is None:
        return "–"
    text = number(abs(float(value)), digits)
    return ("+" if float(value) > 0 else "−" if float(value) < 0 else "") + text


def month_label(month: date) -> str:
    return f"{month:%m/%Y}"


@dataclass(frozen=True)
class Figure:
    """A drawn chart, named so a reader can tell which it is."""

    name: str
    svg: str


def _figures(data: ReportData) -> dict[str, Figure]:
    """Every chart the data can give: a section without data gets no chart (it says so instead)."""
    groups = tuple(GROUP_LABELS)
    built = {
        "trend_rates": (charts.trend_rates, data.trend),
        "trend_volumes": (charts.trend_volumes, data.trend),
        "unit_on_time": (charts.unit_on_time, [u for u in data.units if u["on_time_rate"] is not None]),
        "portal_points": (lambda rows: charts.portal_points(rows, groups), data.portal_groups),
        "own_vs_official": (
            charts.own_vs_official,
            [r for r in data.reconciliation if r["own_points"] is not None and r["official_points"] is not None],
        ),
        "procedure_levels": (lambda rows: charts.procedure_levels(rows, AUTHORITY_LABELS), data.procedure_levels),
        "late_procedures": (charts.late_procedures, data.late_procedures[:LATE_PROCEDURES_LISTED]),
        "reform_on_time": (charts.reform_on_time, [m for m in data.reform_months if m["on_time_rate"] is not None]),
    }
    return {name: Figure(name, charts.to_svg(build(rows))) for name, (build, rows) in built.items() if rows}


def render(data: ReportData, *, scope: str | None = None, generated_at: datetime | None = None) -> str:
    """The report's HTML. ``scope`` names the units a scoped login sees (None: every unit)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(number=number, percent=percent, points=points, signed=signed, month_label=month_label)
    successors: dict[str, list[dict]] = {}
    for row in data.successions:
        successors.setdefault(row["new_unit_code"], []).append(row)
    reform_units: dict[str, dict] = {}
    for row in data.reform_months:
        reform_units.setdefault(row["unit_code"], {"unit_name": row["unit_name"], "months": []})["months"].append(row)
    late_listed = data.late_procedures[:LATE_PROCEDURES_LISTED]
    late_rest = data.late_procedures[LATE_PROCEDURES_LISTED:]
    return environment.get_template("report.html.j2").render(
        data=data,
        figures=_figures(data),
        groups=GROUP_LABELS,
        child_groups=CHILD_GROUP_LABELS,
        levels=LEVEL_LABELS,
        authority_levels=AUTHORITY_LABELS,
        late_listed=late_listed,
        late_rest_count=sum(int(r["late_count"]) for r in late_rest),
        late_rest_procedures=len(late_rest),
        late_dossiers_listed=LATE_DOSSIERS_LISTED,
        reform_units=reform_units,
        successors=successors,
        scope=scope,
        one_day=timedelta(days=1),
        generated_at=(generated_at or datetime.now(UTC)).astimezone(),
    )


def write_report(data: ReportData, path: Path, *, scope: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data, scope=scope), encoding="utf-8")
    return path
