"""What an alert says, in Vietnamese and English side by side.

Each builder returns an :class:`AlertMessage`: a one-line summary (stored in ``ops.alerts`` and
used as the email subject and chat title) and a body naming what failed, how many rows, which
units and periods, what was and was not published, and where to look (the Data Docs page).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: How many units or periods a message lists before it says "and N more".
LISTED = 12


@dataclass(frozen=True)
class AlertMessage:
    title: str
    body: str


def _listed(values: Sequence[str]) -> str:
    shown = ", ".join(values[:LISTED])
    more = len(values) - LISTED
    return f"{shown} (+{more} nữa / more)" if more > 0 else shown


def _run_line(dag_id: str, run_id: str) -> str:
    return f"Lần chạy / Run: {dag_id} · {run_id}"


def _failure_line(failure: dict) -> Iterable[str]:
    column = failure.get("kwargs", {}).get("column")
    what = failure["expectation"] + (f" ({column})" if column else "")
    count = failure.get("unexpected_count")
    if count is not None:
        yield f"  - {what}: {count} dòng không đạt / failing rows"
    else:
        yield f"  - {what}: giá trị quan sát / observed {failure.get('observed')!r}"
    if failure.get("why"):
        yield f"    Vì sao / Why: {failure['why']}"
    if failure.get("units"):
        yield f"    Đơn vị / Units: {_listed(failure['units'])}"
    if failure.get("periods"):
        yield f"    Kỳ / Periods: {_listed(failure['periods'])}"


def _suite_lines(outcome, *, affected: bool) -> list[str]:
    """A failed suite's lines: its counts, each failing expectation, optionally the affected
    units and periods, and its Data Docs page."""
    o = outcome
    lines = [
        "",
        f"Bộ kiểm định / Suite: {o.suite} trên / on {o.relation}",
        f"  {o.failed} trong {o.evaluated} kỳ vọng không đạt / {o.failed} of {o.evaluated} expectations failed",
    ]
    for failure in o.failures:
        lines += list(_failure_line(failure))
    if affected and o.units:
        lines.append(f"  Đơn vị bị ảnh hưởng / Affected units: {_listed(o.units)}")
    if affected and o.periods:
        lines.append(f"  Kỳ bị ảnh hưởng / Affected periods: {_listed(o.periods)}")
    if o.docs_url:
        lines.append(f"  Data Docs: {o.docs_url}")
    return lines


def validation_failed(
    dag_id: str, run_id: str, failed: Sequence, not_published: Sequence[str], published: Sequence[str] = ()
) -> AlertMessage:
    """A suite failed: the run published nothing of the marts it built (BI keeps the last release)."""
    suites = ", ".join(o.suite if o.suite == o.relation.split(".")[-1] else f"{o.suite} → {o.relation}" for o in failed)
    lines = [
        _run_line(dag_id, run_id),
        "",
        "Kiểm định dữ liệu không đạt: chưa công bố dữ liệu mới; BI vẫn đọc bản công bố trước.",
        "Validation failed: nothing new was published; BI still reads the previous release.",
    ]
    for o in failed:
        lines += _suite_lines(o, affected=True)
    lines += [
        "",
        f"Chưa công bố / Not published: {', '.join(not_published) or '-'}",
        f"Đã công bố / Published: {', '.join(published) or '-'}",
    ]
    return AlertMessage(
        title=f"[Motcua] Kiểm định không đạt / Validation failed: {suites} ({dag_id})",
        body="\n".join(lines),
    )


def units_held_back(
    dag_id: str, run_id: str, failed: Sequence, held: Sequence[str], published: Sequence[str]
) -> AlertMessage:
    """Failures confined to a few units: those units' figures stay at their last release, the
    other units' are published."""
    lines = [
        _run_line(dag_id, run_id),
        "",
        f"Giữ lại đơn vị / Units held back: {_listed(list(held))}",
        "Số liệu của các đơn vị này giữ ở bản công bố trước (kể cả số tổng hợp của đơn vị cấp trên);"
        " các đơn vị khác được công bố.",
        "These units' figures (and the roll-ups of the units above them) stay at the previous release;"
        " the other units' figures are published.",
    ]
    for o in failed:
        lines += _suite_lines(o, affected=False)
    lines += ["", f"Đã công bố (trừ các đơn vị trên) / Published (without those units): {', '.join(published) or '-'}"]
    return AlertMessage(
        title=f"[Motcua] Giữ lại đơn vị / Units held back: {', '.join(list(held)[:LISTED])} ({dag_id})",
        body="\n".join(lines),
    )


def task_failed(dag_id: str, run_id: str, task_id: str, error: str, try_number: int | None) -> AlertMessage:
    return AlertMessage(
        title=f"[Motcua] Tác vụ lỗi / Task failed: {dag_id}.{task_id}",
        body="\n".join(
            [
                _run_line(dag_id, run_id),
                f"Tác vụ / Task: {task_id} (lần thử / try {try_number})",
                f"Lỗi / Error: {error}",
                "",
                "Lần chạy này không công bố gì; BI vẫn đọc bản công bố trước.",
                "This run publishes nothing; BI still reads the previous release.",
            ]
        ),
    )


def run_failed(dag_id: str, run_id: str, reason: str) -> AlertMessage:
    timed_out = "timed_out" in reason or "timeout" in reason
    what = "Lần chạy quá thời hạn / Run timed out" if timed_out else "Lần chạy thất bại / Run failed"
    return AlertMessage(
        title=f"[Motcua] {what}: {dag_id}",
        body="\n".join(
            [
                _run_line(dag_id, run_id),
                f"Lý do / Reason: {reason}",
                "",
                "Lần chạy này không công bố gì; BI vẫn đọc bản công bố trước.",
                "This run publishes nothing; BI still reads the previous release.",
            ]
        ),
    )


def feed_checks(dag_id: str, run_id: str, checks: Sequence, not_published: Sequence[str]) -> AlertMessage:
    """Sources above their warn or block share of quarantined items in a run."""
    blocked = [c for c in checks if c.level == "block"]
    lines = [_run_line(dag_id, run_id), ""]
    for c in checks:
        verdict = (
            "CHẶN: không công bố số liệu từ nguồn này / BLOCKED: nothing from this source is published"
            if c.level == "block"
            else "CẢNH BÁO: vẫn công bố / WARNING: published"
        )
        lines += [
            f"Nguồn / Source: {c.source}: {verdict}",
            f"  {c.quarantined} trong {c.received} bản ghi bị cách ly / of {c.received} items quarantined "
            f"({c.share:.1%}; ngưỡng / thresholds: cảnh báo / warn {c.warn_share:.0%}, "
            f"chặn / block {c.block_share:.0%})",
        ]
        if c.failed_batches:
            lines.append(f"  {c.failed_batches} lô lỗi / failed batches")
        if c.units:
            units = [f"{u} ({q}/{r}{', lỗi / failed' if f else ''})" for u, r, q, f in c.units]
            lines.append(f"  Đơn vị / Units: {_listed(units)}")
        for reason, n in c.reasons:
            lines.append(f"  - {n} × {reason}")
        lines.append("")
    if blocked:
        lines.append(f"Giữ bản công bố trước / Kept at the previous release: {', '.join(not_published) or '-'}")
    sources = ", ".join(c.source for c in checks)
    what = "Nguồn dữ liệu bị chặn / Feed blocked" if blocked else "Nguồn dữ liệu cần xem / Feed warning"
    return AlertMessage(title=f"[Motcua] {what}: {sources} ({dag_id})", body="\n".join(lines))


def feeds_silent(dag_id: str, run_id: str, as_of, silent: Sequence) -> AlertMessage:
    """Units whose feed has delivered nothing for longer than its source's threshold
    (``landing.feed_silence.SilentFeed``), grouped by source."""
    lines = [
        _run_line(dag_id, run_id),
        "",
        "Hệ thống của các đơn vị này vẫn trả lời nhưng không gửi dữ liệu mới: số liệu của họ có thể thiếu.",
        "These units' systems answer but send nothing new: their figures may be incomplete.",
    ]
    for source in sorted({f.source for f in silent}):
        feeds = [f for f in silent if f.source == source]
        lines += ["", f"Nguồn / Source: {source} (ngưỡng / threshold {feeds[0].threshold_days:g} ngày / days)"]
        for f in feeds[:LISTED]:
            since = f.silent_since.date().isoformat()
            last = (
                f"lần cuối có dữ liệu / last delivery {since}"
                if f.delivered_before
                else f"không có dữ liệu từ / nothing since {since}"
            )
            lines.append(f"  - {f.unit_code}: {last} ({f.days_silent(as_of):.0f} ngày / days)")
        if len(feeds) > LISTED:
            lines.append(f"  (+{len(feeds) - LISTED} nữa / more)")
    units = sorted({f.unit_code for f in silent})
    return AlertMessage(
        title=f"[Motcua] Nguồn dữ liệu im lặng / Feed silent: {_listed(units)} ({dag_id})",
        body="\n".join(lines),
    )


def portal_units_unmapped(dag_id: str, run_id: str, province: str, units: Sequence[tuple[str, str]]) -> AlertMessage:
    """Portal communes (code, name) with no statistics-office code in the portal unit map: their
    official scores cannot be reconciled with Motcua's own."""
    lines = [
        _run_line(dag_id, run_id),
        "",
        "Các đơn vị này có điểm trên Cổng DVCQG nhưng chưa có mã đơn vị thống kê trong bảng ánh xạ:",
        "điểm của họ không đối chiếu được với số liệu của Motcua.",
        "These units have official scores but no statistics-office code in the portal unit map:",
        "their scores cannot be reconciled with Motcua's own figures.",
        "",
        *(f"  - {code} {name}" for code, name in units[:LISTED]),
        *([f"  (+{len(units) - LISTED} nữa / more)"] if len(units) > LISTED else []),
        "",
        "Đề xuất / Propose: motcua portal map-units <saved evaluation> --out portal_unit_map.csv",
    ]
    return AlertMessage(
        title=f"[Motcua] Đơn vị chưa ánh xạ / Portal units unmapped ({province}): {_listed([c for c, _ in units])}",
        body="\n".join(lines),
    )


def feeds_resumed(dag_id: str, run_id: str, resumed: Sequence[tuple], still_silent: int) -> AlertMessage:
    """Silent feeds that delivered again in this run: (source, unit, silent since)."""
    lines = [_run_line(dag_id, run_id), "", "Đã có dữ liệu trở lại / Delivering again:"]
    lines += [f"  - {unit} · {source} (im lặng từ / silent since {since:%Y-%m-%d})" for source, unit, since in resumed]
    if still_silent:
        lines += ["", f"Vẫn im lặng / Still silent: {still_silent} nguồn / feeds"]
    units = sorted({unit for _, unit, _ in resumed})
    return AlertMessage(
        title=f"[Motcua] Nguồn dữ liệu hoạt động lại / Feed resumed: {_listed(units)} ({dag_id})",
        body="\n".join(lines),
    )


def recovered(scope: str, run_id: str, resolved: Sequence[str]) -> AlertMessage:
    return AlertMessage(
        title=f"[Motcua] Đã khôi phục / Recovered: {scope}",
        body="\n".join(
            [
                _run_line(scope, run_id),
                "Lần chạy này đã kiểm định và công bố thành công. / This run validated and published.",
                "",
                "Cảnh báo đã đóng / Alerts resolved:",
                *[f"  - {line}" for line in resolved],
            ]
        ),
    )
