"""``motcua simulator``: the source simulator over HTTP; and the same in a thread for the demo and tests."""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from motcua.config import ConfigError


def _simulator_app(unit_codes: set[str] | None, seed: int, scale: float) -> object:
    from motcua.simulator.app import create_app
    from motcua.simulator.dossiers import SimulationProfile

    return create_app(SimulationProfile(seed=seed, scale=scale), unit_codes=unit_codes)


@contextmanager
def running_simulator(unit_codes: set[str] | None, seed: int, scale: float, app: object | None = None) -> Iterator[str]:
    """Serve the simulator (or ``app``, a simulator built by the caller) on a free localhost port."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if app is None:
        app = _simulator_app(unit_codes, seed, scale)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise ConfigError("the feed simulator did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def cmd_simulator(args: argparse.Namespace) -> int:
    import uvicorn

    from motcua.reference import area_units

    units = area_units(args.district) if args.district else None
    uvicorn.run(_simulator_app(units, args.seed, args.scale), host=args.host, port=args.port)
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    sim = sub.add_parser("simulator", help="serve the source simulator over HTTP")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--seed", type=int, default=20250701)
    sim.add_argument("--scale", type=float, default=1.0)
    sim.add_argument("--district", default=None, help="limit to one pre-2025 district's area")
    sim.set_defaults(func=cmd_simulator)
