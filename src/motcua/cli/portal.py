"""``motcua portal check|import FILE``: a saved portal evaluation, recomputed or landed.

``check`` recomputes it, unit by unit and group by group; ``import`` lands it in the raw layer
(``raw.portal_evaluations``) exactly as a pull would land it, through the same contract and
quarantine.

FILE is a crawler's saved export (``{metadata, count, communesDetail[]}``), a crawler's raw
file of the portal API's seven responses, or a folder of ``api_<endpoint>.json`` responses (see
:mod:`motcua.scoring.portal_sources`). Every unit is recomputed with Motcua's engine from the
portal's own counters; a group whose counters the input lacks is shown as not recomputed, with
the reason, and never counted as a pass or a failure.

Exit status of ``check``: 0 when every compared group is equal, 1 when one differs, 2 when the
input cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import warnings
from collections import Counter
from datetime import date
from decimal import Decimal

from rich import box
from rich.console import Console
from rich.table import Table

from motcua.config import ConfigError

#: The methodology a saved file without a stated period is scored with.
DEFAULT_SCORING_DAY = date(2025, 12, 31)


def _period_day(period: str | None) -> date:
    from motcua.landing.contracts import period_first_day

    return period_first_day(period) if period else DEFAULT_SCORING_DAY


def check_rows(path: str) -> tuple[list[dict], list[str], str]:
    """(one row per unit x group, warnings, methodology version) for the file at ``path``."""
    from motcua.scoring.indicators import indicators_for
    from motcua.scoring.portal import parse_evaluation, recompute
    from motcua.scoring.portal_sources import load_portal_source

    source = load_portal_source(path)
    indicators = indicators_for(_period_day(source.period))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluation = parse_evaluation(source.records, indicators, quarantine=True)
        results = [recompute(unit, indicators) for unit in evaluation.units]
    rows = [
        {
            "unit_code": result.unit_code,
            "unit_name": result.unit_name,
            "child_group": result.child_group,
            "group": group.group_code,
            "official": group.official_points,
            "recomputed": group.recomputed_points,
            "difference": group.difference,
            "status": group.status,
            "reason": group.reason,
        }
        for result in results
        for group in result.groups
    ]
    notes = sorted({str(w.message) for w in caught})
    notes += [f"record set aside: {rejected.error}" for rejected in evaluation.rejected]
    return rows, notes, indicators.methodology_version


def _points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def cmd_portal_check(args: argparse.Namespace) -> int:
    from motcua.scoring.portal import PortalFormatError

    try:
        rows, notes, methodology = check_rows(args.file)
    except PortalFormatError as err:
        raise ConfigError(str(err)) from None
    differs = [row for row in rows if row["status"] == "differs"]
    if args.json:
        payload = [
            {
                "unit_code": row["unit_code"],
                "group": row["group"],
                "official": None if row["official"] is None else float(row["official"]),
                "recomputed": None if row["recomputed"] is None else float(row["recomputed"]),
                "status": row["status"],
                "reason": row["reason"],
            }
            for row in rows
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 1 if differs else 0

    console = Console()
    groups = list(dict.fromkeys(row["group"] for row in rows))
    table = Table(
        "Đơn vị / Unit",
        *groups,
        title=f"Decision 766 recomputed from {args.file} (methodology {methodology})",
        caption="official points; = recomputed equal, ≠ recomputed differs (shown), * not recomputed, — not published",
        box=box.SIMPLE_HEAD,
    )
    by_unit: dict[str, dict[str, dict]] = {}
    names: dict[str, str] = {}
    for row in rows:
        by_unit.setdefault(row["unit_code"], {})[row["group"]] = row
        names[row["unit_code"]] = f"{row['unit_code']} {row['unit_name'] or ''}".strip()
    for unit_code, cells in by_unit.items():
        table.add_row(names[unit_code], *(_cell(cells.get(group)) for group in groups))
    console.print(table)
    counts = Counter(row["status"] for row in rows)
    reasons = Counter((row["group"], row["status"], row["reason"]) for row in rows if row["reason"])
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console.print(f"{len(by_unit)} units x {len(groups)} groups: {summary}")
    for (group, status, reason), n in sorted(reasons.items()):
        console.print(f"{group} {status} in {n} units: {reason}", style="dim")
    for note in notes:
        console.print(f"note: {note}", style="dim")
    return 1 if differs else 0


def _cell(row: dict | None) -> str:
    if row is None or row["status"] == "not published":
        return "—"
    official = _points(row["official"])
    if row["status"] == "equal":
        return f"{official} ="
    if row["status"] == "differs":
        return f"[red]{official} ≠ {_points(row['recomputed'])}[/red]"
    return f"{official} *"


def import_items(path: str, province: str | None, period_type: str | None, period: str | None):
    """(province, period type, period, feed items) of a saved file, as a pull would yield them."""
    from motcua.feeds.portal import feed_item
    from motcua.landing.contracts import period_first_day
    from motcua.landing.items import FeedItem
    from motcua.scoring.portal_sources import load_portal_source

    source = load_portal_source(path)
    province = province or source.province
    period_type = period_type or source.period_type
    period = period or source.period
    missing = [
        option
        for option, value in (("--province", province), ("--period-type", period_type), ("--period", period))
        if not value
    ]
    if missing:
        raise ConfigError(f"{path} does not say its {', '.join(m[2:] for m in missing)}: give {' '.join(missing)}")
    try:
        period_first_day(period)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    items = []
    for record in source.records:
        # The file was read with exact decimals (for check); the raw layer stores JSON numbers,
        # as a pull's payload (19.41 stays 19.41: a float's shortest form).
        text = json.dumps(record, ensure_ascii=False, sort_keys=True, default=float)
        if isinstance(record, dict):
            items.append(feed_item(json.loads(text), province, period_type, period, source.as_of))
        else:  # kept, so that the loader quarantines it with its reason
            items.append(FeedItem(text, None))
    return province, period_type, period, items


def cmd_portal_import(args: argparse.Namespace) -> int:
    from datetime import datetime

    import psycopg

    from motcua.config import load_settings
    from motcua.landing.ledger import seal_loaded_batches
    from motcua.landing.loader import load_batch
    from motcua.landing.raw_sources import PORTAL_EVALUATIONS
    from motcua.scoring.portal import PortalFormatError
    from motcua.warehouse.session import open_warehouse

    try:
        province, period_type, period, items = import_items(args.file, args.province, args.period_type, args.period)
    except PortalFormatError as err:
        raise ConfigError(str(err)) from None
    now = datetime.now().astimezone()
    with open_warehouse(load_settings(), stop_embedded=False) as wh, psycopg.connect(wh.url) as conn:
        result = load_batch(conn, PORTAL_EVALUATIONS, province, (now, now), items)
        conn.commit()
        seal_loaded_batches(conn)
    console = Console()
    console.print(
        f"{args.file}: {result.received} records of {province} {period_type} {period}: "
        f"{result.loaded} landed, {result.already_present} already present, {result.quarantined} quarantined "
        f"(batch {result.batch_id})",
        soft_wrap=True,
    )
    if result.quarantined:
        console.print(f"the reasons: raw.quarantine where batch_id = '{result.batch_id}'", style="dim", soft_wrap=True)
    return 0


def cmd_portal_map_units(args: argparse.Namespace) -> int:
    import psycopg

    from motcua.config import load_settings
    from motcua.scoring.portal import PortalFormatError
    from motcua.scoring.portal_sources import load_portal_source
    from motcua.scoring.unit_matching import PortalUnit, ReferenceUnit, match_units, read_overrides
    from motcua.warehouse.session import open_warehouse

    try:
        source = load_portal_source(args.file)
    except PortalFormatError as err:
        raise ConfigError(str(err)) from None
    on = date.fromisoformat(args.on) if args.on else _period_day(source.period)
    portal = [
        PortalUnit(str(r.get("departmentCode")), str(r.get("departmentName") or ""), str(r.get("childGroup") or ""))
        for r in source.records
        if isinstance(r, dict) and r.get("departmentCode")
    ]
    try:
        overrides = read_overrides(args.overrides) if args.overrides else {}
    except ValueError as err:
        raise ConfigError(str(err)) from None
    with open_warehouse(load_settings(), stop_embedded=False) as wh, psycopg.connect(wh.url) as conn:
        try:
            rows = conn.execute(
                """select unit_code, unit_full_name, unit_name from audit.dim_units
                   where (valid_from is null or valid_from <= %(on)s) and (valid_to is null or %(on)s < valid_to)""",
                {"on": on},
            ).fetchall()
        except psycopg.errors.UndefinedTable:
            raise ConfigError("the warehouse has no units yet (audit.dim_units): run the pipeline once") from None
    matches = match_units(portal, [ReferenceUnit(code, full, short or "") for code, full, short in rows], overrides)

    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["portal_code", "portal_name", "gso_unit_code", "child_group", "valid_from", "valid_to"])
            for m in matches:
                writer.writerow([m.portal_code, m.portal_name, m.gso_unit_code or "", m.child_group, "", ""])
    console = Console()
    counts = Counter(m.how for m in matches)
    summary = ", ".join(f"{n} {how}" for how, n in sorted(counts.items()))
    console.print(f"{len(matches)} portal units against {len(rows)} units valid on {on}: {summary}", soft_wrap=True)
    open_ones = [m for m in matches if m.needs_a_person]
    if open_ones:
        table = Table("Mã cổng / Portal code", "Tên / Name", "Kết quả / Result", box=box.SIMPLE_HEAD)
        for m in open_ones:
            result = m.how if not m.candidates else f"{m.how}: {', '.join(m.candidates)}"
            table.add_row(m.portal_code, m.portal_name, result)
        console.print(table)
        console.print("settle them in an override file (portal_code,gso_unit_code) and run again", style="dim")
    if args.out:
        console.print(f"wrote {args.out}", soft_wrap=True)
    return 1 if open_ones else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    portal = sub.add_parser("portal", help="the national portal's Decision 766 evaluations (Cổng DVCQG)")
    portal_sub = portal.add_subparsers(dest="portal_command", required=True)
    check = portal_sub.add_parser(
        "check",
        help="recompute every unit of a saved evaluation and compare with the official points",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", help="crawler export, crawler raw file, or folder of api_<endpoint>.json responses")
    check.add_argument("--json", action="store_true", help="print [{unit_code, group, official, recomputed, ...}]")
    check.set_defaults(func=cmd_portal_check)
    land = portal_sub.add_parser(
        "import",
        help="land a saved evaluation in the raw layer, as a pull would (then the portal DAG scores it)",
    )
    land.add_argument("file", help="crawler export, crawler raw file, or folder of api_<endpoint>.json responses")
    land.add_argument("--province", help="portal province code, e.g. H21 (default: from the file)")
    land.add_argument("--period-type", choices=["month", "quarter", "year"], help="default: from the file")
    land.add_argument("--period", help="2026, 2026-Q3 or 2026-09 (default: from the file)")
    land.set_defaults(func=cmd_portal_import)
    mapping = portal_sub.add_parser(
        "map-units",
        help="propose the portal unit map (portal code -> statistics-office code) from the units' names",
        description="Matches the file's units by name against the warehouse's units valid on the day; "
        "prints what needs a person (unmatched, ambiguous) and exits 1 while anything does.",
    )
    mapping.add_argument("file", help="crawler export, crawler raw file, or folder of api_<endpoint>.json responses")
    mapping.add_argument(
        "--overrides", help="CSV portal_code,gso_unit_code that wins over any match (empty code: none)"
    )
    mapping.add_argument("--on", help="the day the units must be valid on (default: the file's period, or 2025-12-31)")
    mapping.add_argument("--out", help="write the mapping as a CSV in the shape of seeds/scoring/portal_unit_map.csv")
    mapping.set_defaults(func=cmd_portal_map_units)
