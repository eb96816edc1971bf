"""``motcua setup`` and ``motcua warehouse start|stop|url``: the warehouse and Airflow's metadata."""

from __future__ import annotations

import argparse

from motcua.config import load_settings
from motcua.runtime import export_airflow_env


def cmd_setup(args: argparse.Namespace) -> int:
    from motcua.cli.tools import migrate_airflow
    from motcua.orchestration.dbt import parse_manifest, run_dbt
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    export_airflow_env(settings)
    with open_warehouse(settings) as wh:
        wh.export_env()
        parse_manifest()
        run_dbt("seed")
        migrate_airflow()
        print(f"warehouse ready at {wh.target.host}:{wh.target.port}/{wh.target.dbname}")
    return 0


def cmd_warehouse(args: argparse.Namespace) -> int:
    from motcua.warehouse.embedded import EmbeddedPostgres
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    if args.action == "stop":
        print("stopped" if EmbeddedPostgres(settings.state_dir).stop() else "not running")
        return 0
    # start and url: both leave the server running and print a psql-ready URL.
    with open_warehouse(settings, stop_embedded=False) as wh:
        print(wh.url)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    setup = sub.add_parser("setup", help="start the warehouse, create schemas, load reference data")
    setup.set_defaults(func=cmd_setup)
    wh = sub.add_parser("warehouse", help="manage the embedded PostgreSQL")
    wh.add_argument("action", choices=["start", "stop", "url"])
    wh.set_defaults(func=cmd_warehouse)
