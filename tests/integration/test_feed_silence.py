"""A unit whose feed answers but delivers nothing alerts once when it crosses its threshold, not
every day after, and a message follows when it delivers again (a real SMTP server and HTTP
receiver on 127.0.0.1)."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from motcua.config import ConfigError, feed_silent_days
from motcua.landing.feed_silence import find_silent_feeds
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS
from motcua.orchestration import tasks

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from alert_receivers import receivers

#: Days far from every other test's data: the ledger is shared by the module's tests.
FIRST_DAY = datetime(2019, 3, 1, 17, tzinfo=UTC)


@pytest.fixture()
def inbox(warehouse, reset_warehouse, monkeypatch):
    # From an empty ledger: another module's catalogue pull (first pulled from 2016, so its
    # interval covers these days too) would add its own feed warning to the runs here.
    reset_warehouse()
    with receivers() as received:
        monkeypatch.setenv("MOTCUA_ALERT_URLS", " ".join(received.urls))
        monkeypatch.delenv("MOTCUA_ALERT_WEBHOOK_URL", raising=False)
        for name in ("MOTCUA_FEED_SILENT_DAYS", "MOTCUA_FEED_SILENT_DAYS_ONE_STOP_DOSSIERS"):
            monkeypatch.delenv(name, raising=False)
        yield received


def _day(n: int) -> tuple[datetime, datetime]:
    return FIRST_DAY + timedelta(days=n), FIRST_DAY + timedelta(days=n + 1)


def _land(conn, unit: str, day: int, received: int) -> None:
    """One daily batch of the one-stop feed as the loader records it (only the ledger matters)."""
    start, end = _day(day)
    conn.execute(
        """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                                         received, loaded, finished_at)
           values (%s, 'one_stop_dossiers', %s, %s, %s, 'loaded', %s, %s, now())""",
        (uuid.uuid4(), unit, start, end, received, received),
    )


def _run(day: int) -> str:
    run_id = f"scheduled__{_day(day)[0].isoformat()}"
    tasks.check_feeds(run_id, *_day(day), dag_id="motcua_daily")
    return run_id


def test_a_silent_unit_alerts_once_and_its_return_is_announced(inbox, warehouse, wh_conn):
    busy, quiet = (f"S{uuid.uuid4().hex[:6]}" for _ in range(2))
    # The busy unit delivers every day; the quiet one for three days, then answers with nothing
    # until day 16. Every batch is landed first, as a backfill finds them: a day is still judged
    # by the batches up to its end, not by later ones.
    for day in range(17):
        _land(wh_conn, busy, day, 40)
        _land(wh_conn, quiet, day, 12 if day < 3 or day == 16 else 0)

    # Day 12: silent since the end of day 2, 10 days: not above the threshold yet.
    _run(12)
    assert inbox.emails == [] and inbox.posts == []

    run_13 = _run(13)
    [(subject, body)] = inbox.emails
    assert "Feed silent" in subject and quiet in subject and busy not in subject
    assert "one_stop_dossiers" in body and f"last delivery {_day(3)[0]:%Y-%m-%d}" in body and "(11 ngày / days)" in body
    assert [p["type"] for p in inbox.posts] == ["warning"]
    # A retry of the same run, then the next day: the same silence is not announced again.
    tasks.check_feeds(run_13, *_day(13), dag_id="motcua_daily")
    _run(14)
    assert len(inbox.emails) == 1
    (open_rows,) = wh_conn.execute(
        "select count(*) from ops.feed_silences where unit_code = %s and resumed_at is null", (quiet,)
    ).fetchone()
    assert open_rows == 1

    # Day 16 it delivers again: one message says so and the silence alert is closed.
    resumed_run = _run(16)
    assert len(inbox.emails) == 2
    subject, body = inbox.emails[1]
    assert "Feed resumed" in subject and quiet in subject and f"silent since {_day(3)[0]:%Y-%m-%d}" in body
    assert inbox.posts[-1]["type"] == "success"
    silence = wh_conn.execute("select resumed_by_run from ops.feed_silences where unit_code = %s", (quiet,)).fetchall()
    assert silence == [(resumed_run,)]
    (still_open,) = wh_conn.execute(
        """select count(*) from ops.alerts where scope = 'feed_silence' and severity = 'warning'
           and resolved_at is null and details->'silent' @> to_jsonb(array[array['one_stop_dossiers', %s::text]])""",
        (quiet,),
    ).fetchone()
    assert still_open == 0


def test_a_unit_that_never_delivered_is_silent_since_its_first_pull(warehouse, wh_conn, monkeypatch):
    monkeypatch.setenv("MOTCUA_FEED_SILENT_DAYS_ONE_STOP_DOSSIERS", "4")
    new_unit = f"S{uuid.uuid4().hex[:6]}"
    for day in range(30, 36):
        _land(wh_conn, new_unit, day, 0)
    # Its first batch started on day 30: four days without anything by the end of day 33 is not more than 4.
    assert find_silent_feeds(wh_conn, [ONE_STOP_DOSSIERS], *_day(33)) == []
    [silent] = find_silent_feeds(wh_conn, [ONE_STOP_DOSSIERS], *_day(34))
    assert (silent.unit_code, silent.silent_since, silent.delivered_before) == (new_unit, _day(30)[0], False)


def test_the_threshold_setting(monkeypatch):
    monkeypatch.delenv("MOTCUA_FEED_SILENT_DAYS", raising=False)
    assert feed_silent_days("procedure_catalogue") == 0  # province-wide; its silence means nothing
    monkeypatch.setenv("MOTCUA_FEED_SILENT_DAYS", "7")
    monkeypatch.setenv("MOTCUA_FEED_SILENT_DAYS_SATISFACTION_RATINGS", "30")
    assert (feed_silent_days("one_stop_dossiers"), feed_silent_days("satisfaction_ratings")) == (7, 30)
    for wrong in ("a week", "-1", "90"):
        monkeypatch.setenv("MOTCUA_FEED_SILENT_DAYS", wrong)
        with pytest.raises(ConfigError, match="MOTCUA_FEED_SILENT_DAYS must be"):
            feed_silent_days("one_stop_dossiers")
