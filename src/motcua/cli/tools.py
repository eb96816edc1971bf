"""``motcua airflow ...`` and ``motcua dbt ...``: the tools, run against this project's warehouse.

Every tool runs from this interpreter's ``bin`` folder, with that folder first on ``PATH`` (``airflow
standalone`` starts its components by name), in a session of its own that stops with ``motcua``.
"""

from __future__ import annotations

import argparse

from motcua.config import ConfigError, load_settings
from motcua.runtime import export_airflow_env, tool_env, tools_bin_dir

#: Seconds the tool's processes get to stop after Ctrl-C or SIGTERM before they are killed.
STOP_GRACE_SECONDS = 30.0


def tool_command(tool: str, argv: list[str]) -> list[str]:
    """The command line of ``motcua <tool> <argv>``: dbt gets this project's folder and profiles."""
    if tool == "dbt":
        from motcua.orchestration.dbt import dbt_command, dbt_executable

        # Bare ``motcua dbt`` prints dbt's help, which takes no project options.
        return dbt_command(*argv) if argv else [dbt_executable()]
    exe = tools_bin_dir() / tool
    if not exe.exists():
        raise ConfigError(f"{tool} is not installed next to {tools_bin_dir()}: run `make install`.")
    return [str(exe), *argv]


def passthrough(tool: str, argv: list[str]) -> int:
    """Run airflow or dbt with the warehouse and Airflow environment of this project.

    An embedded warehouse that this command started is stopped when the tool ends (one that was
    already running, e.g. by ``motcua warehouse start``, keeps running).
    """
    from motcua.cli.processes import run_supervised
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    export_airflow_env(settings)
    command = tool_command(tool, argv)
    with open_warehouse(settings) as wh:
        wh.export_env()
        return run_supervised(command, tool_env(), grace=STOP_GRACE_SECONDS)


def migrate_airflow() -> None:
    """Create or upgrade Airflow's metadata database (``airflow db migrate``)."""
    from motcua.cli.processes import run_tool_quietly

    done = run_tool_quietly(tool_command("airflow", ["db", "migrate"]), tool_env())
    if done.returncode != 0:
        raise ConfigError(f"airflow db migrate failed:\n{done.stderr[-2000:]}")


def cmd_dbt_parse(args: argparse.Namespace) -> int:
    from motcua.orchestration.dbt import parse_manifest

    print(parse_manifest())
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    for tool in ("airflow", "dbt"):
        p = sub.add_parser(tool, help=f"run {tool} against this project's warehouse", add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=lambda a, t=tool: passthrough(t, a.rest))
    dparse = sub.add_parser("dbt-parse", help="write the dbt manifest the DAGs render from")
    dparse.set_defaults(func=cmd_dbt_parse)
