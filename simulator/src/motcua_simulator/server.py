"""Serving the simulator: over HTTP for ``motcua simulator`` (or ``motcua-simulator``, ``python -m
motcua_simulator``: the compose service's image has no Airflow), in a thread for ``motcua demo`` and tests."""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from motcua.config import ConfigError
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.reference import area_units

__all__ = ["area_units", "main", "running_simulator", "serve", "simulator_app"]


def simulator_app(unit_codes: set[str] | None, seed: int, scale: float) -> object:
    """The simulator's FastAPI app for ``unit_codes`` (all units when None)."""
    return create_app(SimulationProfile(seed=seed, scale=scale), unit_codes=unit_codes)


@contextmanager
def running_simulator(unit_codes: set[str] | None, seed: int, scale: float, app: object | None = None) -> Iterator[str]:
    """Serve the simulator (or ``app``, a simulator built by the caller) on a free localhost port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if app is None:
        app = simulator_app(unit_codes, seed, scale)
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


def serve(*, host: str, port: int, seed: int, scale: float, district: str | None = None) -> None:
    """Serve the simulator over HTTP until stopped (limited to one pre-2025 district's area if given)."""
    units = area_units(district) if district else None
    uvicorn.run(simulator_app(units, seed, scale), host=host, port=port)


def main(argv: list[str] | None = None) -> int:
    """``motcua-simulator``: the same options as ``motcua simulator``."""
    parser = argparse.ArgumentParser(prog="motcua-simulator", description="Serve the source simulator over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--district", default=None, help="limit to one pre-2025 district's area")
    args = parser.parse_args(argv)
    serve(host=args.host, port=args.port, seed=args.seed, scale=args.scale, district=args.district)
    return 0
