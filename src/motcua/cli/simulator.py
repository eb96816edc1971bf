"""``motcua simulator``: the source simulator over HTTP, when it is installed.

The simulator is its own distribution (``simulator/``, package ``motcua_simulator``), which the
production install and image leave out; ``motcua demo`` and ``motcua simulator`` need it.
"""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType

from motcua.config import ConfigError

SIMULATOR_PACKAGE = "motcua_simulator"
INSTALL_HINT = "pip install -e ./simulator"


def require_simulator(command: str) -> ModuleType:
    """The simulator's serving module, or a ConfigError naming the install step when it is missing.

    A missing dependency of the simulator (fastapi, uvicorn) counts as a missing simulator; a
    missing module of motcua itself is a defect and is raised as it is.
    """
    try:
        return importlib.import_module(f"{SIMULATOR_PACKAGE}.server")
    except ModuleNotFoundError as err:
        missing = (err.name or "").partition(".")[0]
        if missing == "motcua":
            raise
        detail = "" if missing == SIMULATOR_PACKAGE else f" (no module named {err.name!r})"
        raise ConfigError(f"the {command} needs the source simulator{detail}: {INSTALL_HINT}") from err


def cmd_simulator(args: argparse.Namespace) -> int:
    server = require_simulator("simulator command")
    server.serve(host=args.host, port=args.port, seed=args.seed, scale=args.scale, district=args.district)
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    sim = sub.add_parser("simulator", help=f"serve the source simulator over HTTP (needs {INSTALL_HINT})")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--seed", type=int, default=20250701)
    sim.add_argument("--scale", type=float, default=1.0)
    sim.add_argument("--district", default=None, help="limit to one pre-2025 district's area")
    sim.set_defaults(func=cmd_simulator)
