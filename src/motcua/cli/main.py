"""Argument parsing and error handling of the ``motcua`` command."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import warnings

from motcua.config import ConfigError

DESCRIPTION = "The motcua command: set up, run the demo, manage the embedded warehouse and simulator."


class Terminated(BaseException):
    """SIGTERM or SIGHUP reached ``motcua``: unwind (stop the simulator, the embedded warehouse) and exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def build_parser() -> argparse.ArgumentParser:
    from motcua.cli import backfill, bi, demo, html_report, portal, quality, simulator, tools, warehouse

    parser = argparse.ArgumentParser(prog="motcua", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    demo.add_command(sub)
    backfill.add_command(sub)
    warehouse.add_commands(sub)
    simulator.add_command(sub)
    tools.add_commands(sub)
    quality.add_commands(sub)
    bi.add_commands(sub)
    html_report.add_commands(sub)
    portal.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``motcua`` command; an expected error ends with one ``motcua: ...`` line and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # platformdirs (under the embedded server's wheel) warns on every run as root without a
    # login session; it says nothing the user can act on.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    args = build_parser().parse_args(argv)
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return args.func(args)
    except ConfigError as err:
        print(f"motcua: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:  # a tool or file the command needs is missing
        print(f"motcua: {err.strerror or err}: {err.filename}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Terminated as stop:
        return 128 + stop.signum
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
