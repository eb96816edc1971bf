"""``motcua check-contract`` (the release contract holds), ``motcua quality-docs`` (serve the
Great Expectations Data Docs of the last validations) and ``motcua dbt-docs`` (write and serve
the dbt docs site)."""

from __future__ import annotations

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from motcua.config import ConfigError, load_settings


def cmd_check_contract(args: argparse.Namespace) -> int:
    from motcua.orchestration.dbt import MANIFEST_PATH
    from motcua.publishing.contract import ContractError, check_release_contract
    from motcua.quality.suites import load_suites

    try:
        views = check_release_contract(MANIFEST_PATH, load_suites(load_settings().expectations_dir))
    except ContractError as err:
        raise ConfigError(str(err)) from err
    width = max(len(v.view) for v in views)
    for v in views:
        print(f"published.{v.view:<{width}}  {v.mart} ({', '.join(v.grain)})  suite {v.suite}")
    print(f"{len(views)} published views; each has a suite, a grain dbt tests, and documented columns")
    return 0


def static_server(site: Path, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server over a folder of static files (a docs site)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    return ThreadingHTTPServer((host, port), handler)


def docs_server(host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server over the Data Docs site (static files GX wrote)."""
    site = load_settings().data_docs_dir
    if not (site / "index.html").exists():
        raise ConfigError(f"no Data Docs at {site}: no validation has run yet (run `motcua demo` or a DAG first).")
    return static_server(site, host, port)


def _serve(server: ThreadingHTTPServer) -> None:
    try:
        server.serve_forever()
    finally:
        server.server_close()


def cmd_dbt_docs(args: argparse.Namespace) -> int:
    from motcua.orchestration.dbt import generate_docs
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    with open_warehouse(settings, stop_embedded=False) as wh:
        wh.export_env()
        print("dbt docs generate: reading the warehouse's catalogue ...", flush=True)
        index = generate_docs(settings.dbt_docs_dir)
    print(f"dbt docs written: {index}")
    print("Airflow's UI shows them under Browse > dbt Docs (Motcua) (`motcua airflow standalone`).")
    if args.serve:
        server = static_server(settings.dbt_docs_dir, args.host, args.port)
        print(f"dbt docs: http://{args.host}:{server.server_port}/index.html (Ctrl+C stops)")
        _serve(server)
    return 0


def cmd_quality_docs(args: argparse.Namespace) -> int:
    server = docs_server(args.host, args.port)
    print(f"Data Docs of the last validations: http://{args.host}:{server.server_port}/index.html (Ctrl+C stops)")
    print("Set MOTCUA_DATA_DOCS_URL to this address so alerts link their validation's page.")
    _serve(server)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser(
        "check-contract",
        help="check that every published mart declares a suite, a grain dbt tests and documented columns",
    )
    check.set_defaults(func=cmd_check_contract)
    docs = sub.add_parser("quality-docs", help="serve the Great Expectations Data Docs of the validations")
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--port", type=int, default=8790)
    docs.set_defaults(func=cmd_quality_docs)
    dbt_docs = sub.add_parser(
        "dbt-docs",
        help="write the dbt docs site (models, columns, lineage with the report's exposure) and optionally serve it",
    )
    dbt_docs.add_argument("--serve", action="store_true", help="serve the site after writing it")
    dbt_docs.add_argument("--host", default="127.0.0.1")
    dbt_docs.add_argument("--port", type=int, default=8791)
    dbt_docs.set_defaults(func=cmd_dbt_docs)
