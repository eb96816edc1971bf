"""Tier 3 and 4: the daily DAG end to end with dag.test(), then a run that must not publish.

The simulator runs in a thread on a free port; the DAGs run in-process against the test
warehouse. Figures are reconciled against what the simulator served.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from motcua.cli import daily_run_date, run_dag
from motcua.config import load_settings
from motcua.landing.ledger import seal_loaded_batches
from motcua.orchestration import tasks
from motcua.orchestration.dbt import DAILY_TRANSFORM
from motcua.runtime import export_feed_connection
from motcua_simulator.server import running_simulator

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from alert_receivers import receivers
from dossier_days import served_versions

UNITS = {"430", "17935", "17938"}  # Huyện Nam Đàn and two of its communes (before the reform)
SEED, SCALE = 7, 0.5
DAY = date(2025, 6, 10)


@pytest.fixture(scope="module")
def feed(airflow_db, reset_warehouse):
    reset_warehouse()
    with running_simulator(UNITS, seed=SEED, scale=SCALE) as url:
        export_feed_connection(url)
        yield url


@pytest.fixture(scope="module")
def first_run(feed, warehouse):
    assert run_dag("motcua_reference") == "success"
    return run_dag("motcua_daily", daily_run_date(DAY))


def test_daily_run_succeeds_and_publishes_what_the_source_served(first_run, wh_conn):
    assert first_run == "success"
    published = dict(wh_conn.execute("select dossier_code, dossier_version from published.dossiers").fetchall())
    expected = served_versions(DAY, UNITS, SEED, SCALE)
    assert expected, "the simulator served nothing: the test would prove nothing"
    assert published == expected
    counts = wh_conn.execute("select count(*), count(distinct source_key) from raw.one_stop_dossiers").fetchone()
    assert counts == (len(expected), len(expected))


def test_the_run_writes_the_dbt_docs_of_what_it_built(first_run, wh_conn):
    """After the publish, the run's `document` task writes the dbt docs site Airflow links
    (Browse > dbt Docs): the catalogue holds the marts' columns as PostgreSQL holds them."""
    assert first_run == "success"
    site = load_settings().dbt_docs_dir
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    built = {
        name
        for (name,) in wh_conn.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'audit' and table_name = 'fct_scorecard_monthly'"
        )
    }
    assert built and set(catalog["nodes"]["model.motcua.fct_scorecard_monthly"]["columns"]) == built
    assert (site / "index.html").stat().st_size > 10_000  # dbt's single-page docs app
    assert not list(site.parent.glob(f".{site.name}-*")), "a half-written docs site was left behind"


def test_published_schema_is_documented_and_free_of_personal_data(first_run, wh_conn):
    columns = wh_conn.execute(
        """select c.column_name, col_description(('published.' || c.table_name)::regclass, c.ordinal_position)
           from information_schema.columns c where c.table_schema = 'published'"""
    ).fetchall()
    assert columns
    assert all(doc for _, doc in columns), [name for name, doc in columns if not doc]
    names = {name for name, _ in columns}
    assert not names & {"applicant", "full_name", "id_number", "phone", "address"}


def test_reader_role_sees_only_the_published_schema(first_run, wh_conn):
    can = dict(
        wh_conn.execute(
            """select s, has_schema_privilege('motcua_reader', s, 'usage')
               from unnest(array['published', 'validated', 'audit', 'raw', 'staging']) s"""
        ).fetchall()
    )
    assert can == {"published": True, "validated": False, "audit": False, "raw": False, "staging": False}


def _published_snapshot(conn: psycopg.Connection) -> dict[str, tuple]:
    """Every published view's definition, comments and rows: equal snapshots mean BI sees the same bytes."""
    views = [name for (name,) in conn.execute("select viewname from pg_views where schemaname = 'published'")]
    return {
        name: conn.execute(
            f"""select pg_get_viewdef('published.{name}'::regclass),
                       obj_description('published.{name}'::regclass, 'pg_class'),
                       (select string_agg(col_description('published.{name}'::regclass, attnum), '|' order by attnum)
                        from pg_attribute where attrelid = 'published.{name}'::regclass and attnum > 0),
                       (select md5(coalesce(string_agg(t::text, chr(10) order by t::text), ''))
                        from published.{name} t)"""
        ).fetchone()
        for name in sorted(views)
    }


def test_failed_validation_stops_publishing_and_alerts_once_then_recovers(first_run, warehouse, wh_conn, monkeypatch):
    assert first_run == "success"
    before = wh_conn.execute("select count(*), max(publish_id) from ops.publish_log").fetchone()
    snapshot = _published_snapshot(wh_conn)
    assert "dossiers" in snapshot
    # A record dbt's own tests accept (unique, not null) but the GX suite rejects: its code
    # does not follow {agency}-{yyMMdd}-{NNNN}. Landing would quarantine it, so it is written
    # past the loader, as a batch of its own, the way a loader defect would let it through.
    with psycopg.connect(warehouse.url) as conn:
        batch, unit = conn.execute(
            """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                                             received, loaded, finished_at)
               select gen_random_uuid(), source, unit_code, interval_start, interval_end, 'loaded', 1, 1, now()
               from raw.batch_ledger where source = 'one_stop_dossiers' and unit_code = '17935' limit 1
               returning batch_id, unit_code"""
        ).fetchone()
        conn.execute(
            """insert into raw.one_stop_dossiers
               select 'BAD CODE', 1, unit_code, %s, now(), 'x', jsonb_set(payload, '{dossier_code}', '"BAD CODE"')
               from raw.one_stop_dossiers where unit_code = %s limit 1""",
            (batch, unit),
        )
        conn.commit()
        seal_loaded_batches(conn)
    with receivers() as inbox:
        monkeypatch.setenv("MOTCUA_ALERT_URLS", " ".join(inbox.urls))
        # Unit holdback off: any failure blocks the release (the holdback has its own test below).
        monkeypatch.setenv("MOTCUA_HOLDBACK_MAX_UNITS", "0")
        state = run_dag("motcua_daily", daily_run_date(DAY + timedelta(days=1)))
        assert state == "failed"
        assert wh_conn.execute("select count(*), max(publish_id) from ops.publish_log").fetchone() == before
        assert _published_snapshot(wh_conn) == snapshot, "BI saw a change although validation failed"
        # The audit schema does hold the bad row: dbt built it, the gate kept it from BI.
        assert wh_conn.execute("select count(*) from audit.fct_dossiers where dossier_code = 'BAD CODE'").fetchone()[0]
        failed_run, docs_url = wh_conn.execute(
            """select run_id, docs_url from ops.validation_runs
               where not success and relation = 'audit.fct_dossiers' order by validation_run_id desc limit 1"""
        ).fetchone()

        # One alert, at the SMTP server and the webhook, naming the suite, the count, the unit and the page.
        [(subject, text)] = inbox.emails
        assert "Validation failed" in subject and "fct_dossiers" in subject
        assert [post["title"] for post in inbox.posts] == [subject]
        assert inbox.posts[0]["message"].replace("\r\n", "\n") == text.replace("\r\n", "\n").rstrip("\n")
        assert "expect_column_values_to_match_regex (dossier_code): 1 dòng không đạt / failing rows" in text
        assert f"Đơn vị / Units: {unit}" in text
        assert f"Data Docs: {docs_url}" in text and docs_url.endswith(".html")
        assert Path(docs_url.removeprefix("file://")).exists()
        assert "Chưa công bố / Not published: " in text and "dossiers" in text.split("Chưa công bố")[1]
        alert = wh_conn.execute(
            """select severity, scope, resolved_at from ops.alerts
               where source = 'validation_gate' order by alert_id desc"""
        ).fetchone()
        assert alert == ("critical", "motcua_daily", None)

        # The validation cleared and re-run on the same bad data fails again without a second alert.
        with pytest.raises(tasks.ValidationFailed):
            tasks.validate(failed_run, DAILY_TRANSFORM.marts(), "motcua_daily")
        assert len(inbox.emails) == 1 and len(inbox.posts) == 1

        # The bad row is removed, and the engineer clears the run's validation (what an operator
        # does instead of waiting a day): it passes, the run publishes, one recovery message follows.
        with psycopg.connect(warehouse.url) as conn:
            conn.execute("delete from raw.one_stop_dossiers where source_key = 'BAD CODE'")
            conn.execute("delete from audit.fct_dossiers where dossier_code = 'BAD CODE'")
            conn.execute("delete from audit.fct_dossier_status_events where dossier_code = 'BAD CODE'")
        tasks.validate(failed_run, DAILY_TRANSFORM.marts(), "motcua_daily")
        tasks.publish_run(failed_run, DAILY_TRANSFORM.marts(), "motcua_daily")
        assert len(inbox.emails) == 2 and "Recovered" in inbox.emails[1][0], [s for s, _ in inbox.emails]
        assert [post["type"] for post in inbox.posts] == ["failure", "success"]
        assert wh_conn.execute(
            "select count(*) from ops.alerts where scope = 'motcua_daily' and resolved_at is null"
        ).fetchone() == (0,)

    # After the first release, a run validates and publishes the incremental marts' changed rows
    # only, and what BI reads still equals what dbt built, mart by mart.
    last_run = wh_conn.execute("select run_id from ops.publish_log order by publish_id desc limit 1").fetchone()[0]
    scopes = dict(wh_conn.execute("select relation, scope from ops.validation_runs where run_id = %s", (last_run,)))
    assert scopes["audit.fct_dossiers"]["predicate"].startswith("(last_load_seq > ")
    assert scopes["audit.fct_dossier_periods_monthly"] is not None
    for view in tasks.release_views(DAILY_TRANSFORM.marts()):
        for a, b in (("audit", "validated"), ("validated", "audit")):
            extra = wh_conn.execute(
                f"select count(*) from (select * from {a}.{view.mart} except all select * from {b}.{view.mart}) d"
            ).fetchone()[0]
            assert extra == 0, f"{view.mart}: {extra} rows in {a} and not in {b}"


def _landed(conn: psycopg.Connection, source: str, unit: str, day: date, received: int, quarantined: int) -> None:
    """A sealed batch of ``source`` for ``unit``'s local ``day``, with ``quarantined`` items in quarantine."""
    batch = conn.execute(
        """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                                         received, loaded, quarantined, finished_at)
           values (gen_random_uuid(), %s, %s, (%s::date)::timestamp at time zone 'Asia/Ho_Chi_Minh',
                   (%s::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh', 'loaded', %s, %s, %s, now())
           returning batch_id""",
        (source, unit, day, day, received, received - quarantined, quarantined),
    ).fetchone()[0]
    for n in range(quarantined):
        conn.execute(
            """insert into raw.quarantine (batch_id, source, unit_code, reason, raw_bytes)
               values (%s, %s, %s, 'rating_value: not one of 1, 2, 3', %s)""",
            (batch, source, unit, f"{source}-{unit}-{day}-{n}".encode()),
        )


def test_a_warned_feed_publishes_and_a_blocked_feed_keeps_its_views_at_the_previous_release(
    first_run, warehouse, wh_conn, monkeypatch
):
    day = DAY + timedelta(days=5)
    with psycopg.connect(warehouse.url) as conn:
        _landed(conn, "eoffice_documents", "17938", day, received=100, quarantined=5)  # 5 %: warn
        _landed(conn, "satisfaction_ratings", "17935", day, received=40, quarantined=20)  # 50 %: block
        conn.commit()
        seal_loaded_batches(conn)
    start = datetime.combine(day, time(), ZoneInfo("Asia/Ho_Chi_Minh"))
    run_id = f"manual__feeds_{day}"
    ratings_before = wh_conn.execute(
        "select md5(string_agg(t::text, ',' order by t::text)) from published.ratings_monthly t"
    )
    ratings_before = ratings_before.fetchone()
    with receivers() as inbox:
        monkeypatch.setenv("MOTCUA_ALERT_URLS", " ".join(inbox.urls))
        levels = tasks.check_feeds(run_id, start, start + timedelta(days=1), "motcua_daily")
        assert levels == {
            "one_stop_dossiers": "ok",
            "procedure_catalogue": "ok",
            "satisfaction_ratings": "block",
            "eoffice_documents": "warn",
        }
        [(subject, text)] = inbox.emails
        assert "Feed blocked" in subject and "satisfaction_ratings" in subject and "eoffice_documents" in subject
        assert "20 trong 40 bản ghi bị cách ly" in text and "BLOCKED" in text and "WARNING: published" in text
        assert "17935 (20/40)" in text and "20 × rating_value: not one of 1, 2, 3" in text
        assert "Kept at the previous release: ratings_monthly" in text

        # The release of that run: everything but what the blocked feed builds.
        tasks.validate(run_id, DAILY_TRANSFORM.marts(), "motcua_daily")
        tasks.publish_run(run_id, DAILY_TRANSFORM.marts(), "motcua_daily")
        [relations] = wh_conn.execute("select relations from ops.publish_log where run_id = %s", (run_id,)).fetchone()
        assert "published.dossiers" in relations and "published.documents_monthly" in relations
        assert "published.ratings_monthly" not in relations
        validated = {
            r for (r,) in wh_conn.execute("select relation from ops.validation_runs where run_id = %s", (run_id,))
        }
        assert "audit.fct_ratings_monthly" not in validated and "audit.fct_dossiers" in validated
        assert (
            wh_conn.execute(
                "select md5(string_agg(t::text, ',' order by t::text)) from published.ratings_monthly t"
            ).fetchone()
            == ratings_before
        )
        # The blocked feed's alert stays open: this run did not publish its figures.
        assert len(inbox.emails) == 1
        assert wh_conn.execute(
            "select resolved_at from ops.alerts where dedup_key = %s", (f"feeds:motcua_daily:{run_id}",)
        ).fetchone() == (None,)


def _unit_rows(conn: psycopg.Connection, view: str, column: str, units: list[str]) -> str:
    """A digest of a published view's rows of ``units``: equal digests mean BI sees the same rows."""
    return conn.execute(
        f"select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from published.{view} t "
        f"where {column} = any(%s)",
        (units,),
    ).fetchone()[0]


def test_a_unit_with_impossible_rows_is_held_back_while_the_other_units_publish(
    first_run, warehouse, wh_conn, monkeypatch
):
    held, other = "17938", "17935"
    marts = DAILY_TRANSFORM.marts()
    # Two dossiers change after the last release, as dbt would rebuild them: one of the other
    # commune with a new fee, one of the held commune with a due date before its receipt (an
    # impossible row: dbt's tests let it through, the GX suite does not).
    with psycopg.connect(warehouse.url) as conn:
        # An earlier test's alerts (a blocked feed) are not this test's: its messages are counted.
        conn.execute("update ops.alerts set resolved_at = now() where resolved_at is null")
        [seq] = conn.execute("select max(last_load_seq) + 1 from audit.fct_dossiers").fetchone()
        [fixed_code] = conn.execute(
            """update audit.fct_dossiers set fee_amount = fee_amount + 1000, last_load_seq = %s
               where dossier_code = (select min(dossier_code) from audit.fct_dossiers where competent_unit_code = %s)
               returning dossier_code""",
            (seq, other),
        ).fetchone()
        [bad_code] = conn.execute(
            """update audit.fct_dossiers set appointment_due_at = received_at - interval '1 day', last_load_seq = %s
               where dossier_code = (select min(dossier_code) from audit.fct_dossiers where competent_unit_code = %s)
               returning dossier_code""",
            (seq, held),
        ).fetchone()
    before = {
        "dossiers": _unit_rows(wh_conn, "dossiers", "competent_unit_code", [held]),
        "scorecards_monthly": _unit_rows(wh_conn, "scorecards_monthly", "scorecard_unit_code", [held, "430"]),
    }
    run_id = "manual__holdback_1"
    with receivers() as inbox:
        monkeypatch.setenv("MOTCUA_ALERT_URLS", " ".join(inbox.urls))
        summary = tasks.validate(run_id, marts, "motcua_daily")
        assert summary["audit.fct_dossiers"]["success"] and summary["audit.fct_dossiers"]["held_units"] == [held]
        tasks.publish_run(run_id, marts, "motcua_daily")

        # The other commune's change is published; the held commune's rows, and the roll-ups of
        # its district, are what BI read before.
        fee = wh_conn.execute("select fee_amount from published.dossiers where dossier_code = %s", (fixed_code,))
        assert (
            fee.fetchone()
            == wh_conn.execute(
                "select fee_amount from audit.fct_dossiers where dossier_code = %s", (fixed_code,)
            ).fetchone()
        )
        assert _unit_rows(wh_conn, "dossiers", "competent_unit_code", [held]) == before["dossiers"]
        assert (
            _unit_rows(wh_conn, "scorecards_monthly", "scorecard_unit_code", [held, "430"])
            == before["scorecards_monthly"]
        )
        assert wh_conn.execute("select held_units from ops.publish_log where run_id = %s", (run_id,)).fetchone() == (
            [held],
        )
        holdback = wh_conn.execute(
            "select unit_code, held_by_run, released_at, reason ? 'audit.fct_dossiers' from ops.unit_holdbacks"
            " where released_at is null"
        ).fetchall()
        assert holdback == [(held, run_id, None, True)]

        # One alert, naming the unit, the failing check and what was published without it.
        [(subject, text)] = inbox.emails
        assert "Units held back" in subject and held in subject
        assert "expect_column_pair_values_a_to_be_greater_than_b: 1 dòng không đạt / failing rows" in text
        assert f"Đơn vị / Units: {held}" in text and "Published (without those units): " in text
        assert "dossiers" in text.split("Published (without those units): ")[1]

        # The source corrects the dossier: the next release validates the held unit again (its
        # rows are in the change scope until they pass), publishes it and sends one recovery message.
        with psycopg.connect(warehouse.url) as conn:
            conn.execute(
                """update audit.fct_dossiers set appointment_due_at = received_at + interval '5 days'
                   where dossier_code = %s""",
                (bad_code,),
            )
        tasks.validate("manual__holdback_2", marts, "motcua_daily")
        tasks.publish_run("manual__holdback_2", marts, "motcua_daily")
        published = wh_conn.execute(
            "select appointment_due_at > received_at from published.dossiers where dossier_code = %s", (bad_code,)
        ).fetchone()
        assert published == (True,)
        assert wh_conn.execute("select count(*) from ops.unit_holdbacks where released_at is null").fetchone() == (0,)
        assert len(inbox.emails) == 2 and "Recovered" in inbox.emails[1][0] and "unit_holdbacks" in inbox.emails[1][0]
        for view in tasks.release_views(marts):
            extra = wh_conn.execute(
                f"select count(*) from (select * from audit.{view.mart}"
                f" except all select * from validated.{view.mart}) d"
            ).fetchone()[0]
            assert extra == 0, f"{view.mart}: {extra} rows built and not published after the unit was released"
