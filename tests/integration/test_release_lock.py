"""The release lock, against a real PostgreSQL: one holder at a time, waits, leases expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.orchestration import release_lock


@pytest.fixture()
def lock(warehouse, wh_conn):
    wh_conn.execute("delete from ops.release_lock; delete from ops.release_log")
    return warehouse.url


def test_one_holder_at_a_time_and_a_retry_keeps_its_hold(lock, wh_conn):
    hour = timedelta(hours=1)
    release_lock.acquire(lock, "motcua_daily/a", lease=hour, wait=timedelta(0))
    release_lock.acquire(lock, "motcua_daily/a", lease=hour, wait=timedelta(0))  # a retried task
    slept: list[float] = []
    with pytest.raises(release_lock.ReleaseLockTimeout, match="held by motcua_daily/a since"):
        release_lock.acquire(lock, "motcua_portal/b", lease=hour, wait=timedelta(seconds=0.2), sleep=slept.append)
    assert slept, "the second run should have waited before giving up"
    assert release_lock.release(lock, "motcua_daily/a")
    release_lock.acquire(lock, "motcua_portal/b", lease=hour, wait=timedelta(0))
    log = wh_conn.execute("select holder, released_at is not null from ops.release_log order by acquired_at").fetchall()
    assert log == [("motcua_daily/a", True), ("motcua_portal/b", False)]


def test_a_crashed_holder_loses_the_release_when_its_lease_expires(lock):
    release_lock.acquire(lock, "motcua_daily/killed", lease=timedelta(seconds=-1), wait=timedelta(0))
    release_lock.acquire(lock, "motcua_portal/next", lease=timedelta(hours=1), wait=timedelta(0))
    assert not release_lock.release(lock, "motcua_daily/killed")  # too late: it is not its any more
    assert release_lock.release(lock, "motcua_portal/next")
