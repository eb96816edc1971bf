"""Resolve the warehouse for a command: the configured URL, or the embedded server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from motcua.config import WAREHOUSE_CONN_ID, PostgresTarget, Settings
from motcua.warehouse.bootstrap import bootstrap
from motcua.warehouse.embedded import EmbeddedPostgres

WAREHOUSE_DB = "motcua"


@dataclass(frozen=True)
class Warehouse:
    url: str
    embedded: bool

    @property
    def target(self) -> PostgresTarget:
        return PostgresTarget.from_url(self.url)

    def export_env(self) -> None:
        """Expose the warehouse to Airflow tasks, dbt and GX run from this process."""
        os.environ[f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}"] = self.url
        os.environ.update(self.target.dbt_env())


@contextmanager
def open_warehouse(settings: Settings, *, stop_embedded: bool = True) -> Iterator[Warehouse]:
    """Yield a bootstrapped warehouse; an embedded one is stopped cleanly on exit."""
    if settings.warehouse_url:
        url = PostgresTarget.from_url(settings.warehouse_url).libpq_url()
        bootstrap(url)
        yield Warehouse(url=url, embedded=False)
        return
    server = EmbeddedPostgres(settings.state_dir)
    was_running = server.running_port() is not None
    admin = PostgresTarget.from_url(server.start())
    url = PostgresTarget(admin.host, admin.port, admin.user, admin.password, WAREHOUSE_DB).libpq_url()
    try:
        bootstrap(url)
        yield Warehouse(url=url, embedded=True)
    finally:
        # A server someone else started (``motcua warehouse start``) keeps running.
        if stop_embedded and not was_running:
            server.stop()
