"""``motcua report``: the scorecard report as one self-contained HTML file, from ``published``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rich.console import Console

from motcua.config import ConfigError, load_settings


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM") from None


def default_path(state_dir: Path, month: date) -> Path:
    return state_dir / "reports" / f"motcua-report-{month:%Y-%m}.html"


def write(url: str, out: Path | None, month: date | None, *, scope: str | None, console: Console) -> Path:
    """Read the report's figures through ``url`` and write the file; its path is returned."""
    import psycopg

    from motcua.reporting.data import ReportError, read_report
    from motcua.reporting.render import write_report

    with console.status("reading the published schema"), psycopg.connect(url) as conn:
        try:
            data = read_report(conn, month)
        except ReportError as err:
            raise ConfigError(str(err)) from None
    with console.status(f"drawing the charts and writing the report for {data.month:%m/%Y}"):
        return write_report(data, out or default_path(load_settings().state_dir, data.month), scope=scope)


def cmd_report(args: argparse.Namespace) -> int:
    console = Console()
    if args.url:  # a BI login: row-level security decides which units its report shows
        import psycopg

        with psycopg.connect(args.url) as conn:
            (login,) = conn.execute("select current_user").fetchone()
        path = write(args.url, args.out, args.month, scope=f"đăng nhập (login) {login}", console=console)
    else:
        from motcua.warehouse.session import open_warehouse

        with open_warehouse(load_settings(), stop_embedded=False) as wh:
            path = write(wh.url, args.out, args.month, scope=None, console=console)
    console.print(f"report written: [bold]{path}[/] (self-contained HTML: open it in any browser)")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="write the scorecard report (báo cáo) as one self-contained HTML file from the published schema",
        description="Figures per unit and month, trends, Decision 766 groups and ranking, own vs official, "
        "late dossiers by procedure with the dossier list, before and after the 2025 reform.",
    )
    report.add_argument("--month", type=_month, help="the report's month, YYYY-MM (default: the latest published)")
    report.add_argument(
        "--out", type=Path, help="the file to write (default: .state/reports/motcua-report-<month>.html)"
    )
    report.add_argument(
        "--url",
        help="read as this PostgreSQL login (a BI login: its report shows only the units it may read); "
        "default: the project's warehouse",
    )
    report.set_defaults(func=cmd_report)
