"""The report's charts: Vega-Lite specifications built with Altair, drawn to SVG by vl-convert.

SVG drawn here and written into the page needs no JavaScript and no network to show (no Vega
bundle, no CDN): the report opens the same on a leader's laptop offline. Each builder returns an
Altair chart (its ``to_dict()`` is the specification, which the unit tests read); :func:`to_svg`
draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt

from motcua.domain import REFORM_DATE

#: Colours of the one-stop figures, the same in every chart.
PALETTE = ("#1f5fa8", "#d9822b", "#2f9e44", "#c92a2a", "#7048e8", "#0b7285")
WIDTH = 640
#: Procedure and unit names longer than this are cut in chart axes (the tables keep them whole).
LABEL_CHARS = 48


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _percent_axis(title: str) -> alt.Axis:
    return alt.Axis(title=title, format=".0%")


def _with_reform_rule(lines: alt.Chart, months: Sequence[date]) -> alt.Chart:
    """``lines`` with a vertical line at 1 July 2025 when the months shown cross it."""
    if not months or not min(months) < REFORM_DATE <= max(months):
        return lines
    rule = (
        alt.Chart(alt.Data(values=[{"month": REFORM_DATE.isoformat(), "label": "Sắp xếp 1/7/2025 (reform)"}]))
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(x="month:T")
    )
    return lines + rule


def trend_rates(trend: Sequence[dict]) -> alt.Chart:
    """The province's on-time, online and digitised shares per month."""
    measures = {
        "on_time_rate": "Đúng hạn (on time)",
        "online_share": "Trực tuyến (online)",
        "digitised_share": "Số hoá (digitised)",
        "online_payment_share": "Thanh toán trực tuyến (paid online)",
    }
    values = [
        {"month": row["month"].isoformat(), "measure": label, "value": float(row[column])}
        for row in trend
        for column, label in measures.items()
        if row[column] is not None
    ]
    lines = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="Tháng (month)", axis=alt.Axis(format="%m/%Y")),
            y=alt.Y("value:Q", axis=_percent_axis("Tỷ lệ (share)"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "measure:N", title=None, scale=alt.Scale(range=list(PALETTE)), legend=alt.Legend(orient="bottom")
            ),
        )
    )
    return _with_reform_rule(lines, [row["month"] for row in trend]).properties(
        width=WIDTH, height=260, title="Tỷ lệ theo tháng, toàn tỉnh / Monthly shares, province"
    )


def trend_volumes(trend: Sequence[dict]) -> alt.Chart:
    """Dossiers received and settled per month."""
    values = [
        {"month": row["month"].isoformat(), "measure": label, "count": int(row[column] or 0)}
        for row in trend
        for column, label in (("received_count", "Tiếp nhận (received)"), ("settled_count", "Đã giải quyết (settled)"))
    ]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="Tháng (month)", timeUnit="yearmonth", axis=alt.Axis(format="%m/%Y")),
            xOffset="measure:N",
            y=alt.Y("count:Q", title="Hồ sơ (dossiers)"),
            color=alt.Color(
                "measure:N", title=None, scale=alt.Scale(range=list(PALETTE)), legend=alt.Legend(orient="bottom")
            ),
        )
        .properties(width=WIDTH, height=240, title="Hồ sơ tiếp nhận và giải quyết / Dossiers received and settled")
    )


def unit_on_time(units: Sequence[dict]) -> alt.Chart:
    """Each unit's on-time rate for the month, best first."""
    values = [
        {"unit": _short(row["unit_name"]), "rate": float(row["on_time_rate"])}
        for row in units
        if row["on_time_rate"] is not None
    ]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("unit:N", title=None, sort="-x"),
            x=alt.X("rate:Q", axis=_percent_axis("Tỷ lệ đúng hạn (on-time rate)"), scale=alt.Scale(domain=[0, 1])),
        )
        .properties(width=WIDTH - 200, title="Tỷ lệ giải quyết đúng hạn / On-time rate by unit")
    )


def portal_points(portal_groups: Sequence[dict], groups: Sequence[str]) -> alt.Chart:
    """The portal's points per unit, stacked by Decision 766 group, highest total first."""
    values = [
        {"unit": _short(row["unit_name"]), "group": group, "points": float(row["group_points"][group])}
        for row in portal_groups
        for group in groups
        if row["group_points"].get(group) is not None
    ]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", title=None, sort="-x"),
            x=alt.X("sum(points):Q", title="Điểm chính thức (official points)"),
            color=alt.Color("group:N", title="Nhóm (group)", scale=alt.Scale(domain=list(groups), range=list(PALETTE))),
        )
        .properties(width=WIDTH - 200, title="Điểm Quyết định 766 theo nhóm / Decision 766 points by group")
    )


def procedure_levels(rows: Sequence[dict], level_labels: dict[str, str]) -> alt.Chart:
    """Procedures in force per authority level: full online, partial online, not online."""
    kinds = (
        ("full_online_count", "Toàn trình (full online)"),
        ("partial_online_count", "Một phần (partial online)"),
        ("not_online_count", "Chưa trực tuyến (not online)"),
    )
    values = [
        {
            "level": level_labels.get(row["authority_level"], row["authority_level"]),
            "kind": label,
            "count": int(row[c] or 0),
        }
        for row in rows
        for c, label in kinds
    ]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("level:N", title=None),
            x=alt.X("count:Q", title="Thủ tục có hiệu lực (procedures in force)"),
            color=alt.Color(
                "kind:N",
                title=None,
                sort=[label for _, label in kinds],
                scale=alt.Scale(domain=[label for _, label in kinds], range=[PALETTE[2], PALETTE[1], "#adb5bd"]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("kind:N"),
        )
        .properties(width=WIDTH - 200, title="Thủ tục theo mức độ trực tuyến / Procedures by online level")
    )


def late_procedures(rows: Sequence[dict]) -> alt.Chart:
    """The procedures with the most dossiers settled late in the month."""
    values = [{"procedure": _short(row["procedure_name"]), "late": int(row["late_count"])} for row in rows]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar(color=PALETTE[3])
        .encode(y=alt.Y("procedure:N", title=None, sort="-x"), x=alt.X("late:Q", title="Hồ sơ quá hạn (late dossiers)"))
        .properties(width=WIDTH - 280, title="Hồ sơ quá hạn theo thủ tục / Late dossiers by procedure")
    )


def reform_on_time(months: Sequence[dict]) -> alt.Chart:
    """Each 2025 commune's on-time rate: before the reform re-aggregated from its predecessors
    (dashed), then its own."""
    values = [
        {
            "month": row["month"].isoformat(),
            "unit": _short(row["unit_name"]),
            "rate": float(row["on_time_rate"]),
            "basis": "Lịch sử từ đơn vị cũ (history)" if row["is_history"] else "Của xã mới (own)",
        }
        for row in months
        if row["on_time_rate"] is not None
    ]
    lines = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="Tháng (month)", axis=alt.Axis(format="%m/%Y")),
            y=alt.Y("rate:Q", axis=_percent_axis("Tỷ lệ đúng hạn (on-time rate)"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("unit:N", title="Xã mới (2025 commune)", scale=alt.Scale(range=list(PALETTE))),
            strokeDash=alt.StrokeDash("basis:N", title=None, legend=alt.Legend(orient="bottom")),
        )
    )
    return _with_reform_rule(lines, [row["month"] for row in months]).properties(
        width=WIDTH, height=260, title="Trước và sau sắp xếp 2025 / Before and after the 2025 reform"
    )


def own_vs_official(rows: Sequence[dict]) -> alt.Chart:
    """Official and own points side by side, per unit, for the indicators both sides compute."""
    values = [
        {"unit": _short(row["unit_name"]), "indicator": row["indicator_code"], "side": side, "points": float(value)}
        for row in rows
        for side, value in (("Cổng quốc gia (official)", row["official_points"]), ("Tự tính (own)", row["own_points"]))
        if value is not None and row["own_points"] is not None
    ]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", title=None),
            yOffset="side:N",
            x=alt.X("points:Q", title="Điểm (points)"),
            color=alt.Color(
                "side:N",
                title=None,
                scale=alt.Scale(range=[PALETTE[0], PALETTE[1]]),
                legend=alt.Legend(orient="bottom"),
            ),
            row=alt.Row("indicator:N", title=None),
        )
        .properties(width=WIDTH - 260, title="Tự tính so với Cổng quốc gia / Own beside official")
    )


def to_svg(chart: alt.Chart) -> str:
    """The chart drawn as an SVG element (no script, no external reference but XML namespaces)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(chart.to_json())
    return svg[svg.index("<svg") :]
