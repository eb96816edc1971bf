"""``motcua bi-login create|list|drop``: BI logins that read ``published`` only, optionally scoped
to units (``motcua.publishing.readers``)."""

from __future__ import annotations

import argparse
import time

from rich import box
from rich.console import Console
from rich.table import Table

from motcua.config import ConfigError, bi_login_password, load_settings


def cmd_bi_login(args: argparse.Namespace) -> int:
    import psycopg

    from motcua.publishing import readers
    from motcua.warehouse.session import open_warehouse

    console = Console()
    with open_warehouse(load_settings(), stop_embedded=False) as wh, psycopg.connect(wh.url) as conn:
        if args.action == "create":
            if not args.login:
                raise ConfigError("name the login: motcua bi-login create <login> [--units 430,17935]")
            units = [u.strip() for u in (args.units or "").split(",") if u.strip()]
            login = readers.create_login(conn, args.login, bi_login_password(), units)
            scope = ", ".join(login.units) if login.units else "every unit / mọi đơn vị"
            console.print(f"BI login [bold]{login.login}[/] reads published only; units: {scope}")
            console.print(
                f"connect: postgresql://{login.login}:<password>@{wh.target.host}:{wh.target.port}/{wh.target.dbname}"
            )
        elif args.action == "drop":
            if not args.login:
                raise ConfigError("name the login: motcua bi-login drop <login>")
            if not readers.drop_login(conn, args.login):
                raise ConfigError(f"{args.login} is not a BI login.")
            console.print(f"dropped {args.login}")
        else:
            table = Table("Login", "Đơn vị / Units", "Granted", box=box.SIMPLE_HEAD)
            for login in readers.list_logins(conn):
                granted = f"{login.granted_at:%Y-%m-%d %H:%M}" if login.granted_at else "-"
                table.add_row(login.login, ", ".join(login.units) or "mọi đơn vị / every unit", granted)
            console.print(table)
    return 0


def cmd_bi_superset(args: argparse.Namespace) -> int:
    """Provision Superset from superset/ (connection, datasets, charts, the scorecard dashboard)
    against the warehouse, as the BI login motcua_superset, then serve it until Ctrl-C."""
    import psycopg

    from motcua.bi import superset
    from motcua.publishing import readers
    from motcua.warehouse.session import open_warehouse

    console = Console()
    settings = load_settings()
    files = superset.SupersetFiles(settings.project_dir, settings.state_dir / "superset")
    files.tool("superset")  # one clear line before anything starts when it is not installed
    password = bi_login_password()
    with open_warehouse(settings) as wh:
        with psycopg.connect(wh.url) as conn:  # created, or its password reset to MOTCUA_BI_PASSWORD
            readers.create_login(conn, superset.SUPERSET_LOGIN, password, [])
        with console.status("provisioning Superset: metadata, administrator, roles, the import bundle"):
            env = superset.provision(files, wh.target, password)
        console.print(f"Superset provisioned from {files.source}, reading the warehouse as {superset.SUPERSET_LOGIN}")
        if args.provision_only:
            return 0
        with superset.serving(files, env, args.port) as url:
            console.print(
                f"Superset: [bold]{url}/superset/dashboard/{superset.DASHBOARD_SLUG}/[/] "
                f"(user {superset.ADMIN_USER}, password in {files.home / 'admin_password'} "
                "unless MOTCUA_SUPERSET_ADMIN_PASSWORD is set); Ctrl-C stops it"
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                console.print("stopping Superset")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    bi = sub.add_parser(
        "bi-login",
        help="create, list or drop BI logins that read the published schema only, optionally scoped to units",
        description="The password of a new login is read from MOTCUA_BI_PASSWORD.",
    )
    bi.add_argument("action", choices=["create", "list", "drop"])
    bi.add_argument("login", nargs="?")
    bi.add_argument("--units", help="comma-separated unit codes the login sees (default: every unit)")
    bi.set_defaults(func=cmd_bi_login)

    tool = sub.add_parser(
        "bi",
        help="Apache Superset on the published schema, provisioned from superset/ (make superset installs it)",
        description="Superset reads the warehouse as the BI login motcua_superset, whose password is "
        "MOTCUA_BI_PASSWORD (from the environment only).",
    )
    tool_sub = tool.add_subparsers(dest="tool", required=True)
    serve = tool_sub.add_parser("superset", help="provision Superset and serve it on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8088)
    serve.add_argument("--provision-only", action="store_true", help="provision, do not serve")
    serve.set_defaults(func=cmd_bi_superset)
