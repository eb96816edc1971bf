"""One release at a time: a DAG run holds the warehouse from its first dbt build to its publish.

Two DAGs build marts into the same ``audit`` schema. If they interleave, one run can publish
rows that the other built after the first one validated, or publish half of another run's
build. So a run takes this lock before building and gives it back after publishing (an Airflow
setup/teardown pair); another run waits for it rather than failing. The lock is a lease in
``ops.release_lock``: a holder killed so hard that its teardown never runs loses it when the
lease expires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

import psycopg

from motcua.warehouse.connect import connect

log = logging.getLogger(__name__)

LOCK_NAME = "warehouse_release"


class ReleaseLockTimeout(RuntimeError):
    """Another run held the release for longer than this run was willing to wait."""


def try_acquire(conn: psycopg.Connection, holder: str, lease: timedelta) -> str | None:
    """Take the release for ``holder``; None when it is ours now, else who holds it."""
    with conn.transaction():
        row = conn.execute(
            """insert into ops.release_lock as current (lock_name, holder, acquired_at, expires_at)
               values (%s, %s, now(), now() + %s)
               on conflict (lock_name) do update
               set holder = excluded.holder,
                   -- a retry of the holder's own task keeps its hold, and its place in the log
                   acquired_at = case when current.holder = excluded.holder then current.acquired_at
                                      else excluded.acquired_at end,
                   expires_at = excluded.expires_at
               where current.holder is null or current.holder = excluded.holder or current.expires_at < now()
               returning holder, acquired_at""",
            (LOCK_NAME, holder, lease),
        ).fetchone()
        if row is not None:
            conn.execute(
                "insert into ops.release_log (holder, acquired_at) values (%s, %s) on conflict do nothing", row
            )
            return None
    held = conn.execute(
        "select holder, acquired_at from ops.release_lock where lock_name = %s", (LOCK_NAME,)
    ).fetchone()
    return f"{held[0]} since {held[1]:%Y-%m-%d %H:%M:%S%z}" if held and held[0] else "nobody (just released)"


def acquire(
    url: str,
    holder: str,
    *,
    lease: timedelta,
    wait: timedelta,
    poll_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Wait until the release is ours, at most ``wait``."""
    deadline = time.monotonic() + wait.total_seconds()
    with connect(url, autocommit=True) as conn:
        while True:
            other = try_acquire(conn, holder, lease)
            if other is None:
                log.info("release taken by %s", holder)
                return
            if time.monotonic() >= deadline:
                raise ReleaseLockTimeout(f"{holder} waited {wait} for the warehouse release, held by {other}")
            log.info("%s waits for the warehouse release, held by %s", holder, other)
            sleep(poll_seconds)


def release(url: str, holder: str) -> bool:
    """Give the release back; False when ``holder`` did not hold it (its lease expired)."""
    with connect(url, autocommit=True) as conn, conn.transaction():
        released = conn.execute(
            """update ops.release_lock set holder = null, acquired_at = null, expires_at = null
                   where lock_name = %s and holder = %s""",
            (LOCK_NAME, holder),
        ).rowcount
        conn.execute(
            "update ops.release_log set released_at = now() where holder = %s and released_at is null", (holder,)
        )
    if not released:
        log.warning("%s no longer held the warehouse release (its lease expired)", holder)
    return bool(released)
