"""Publishing: only what this run validated, by its latest result, without waiting on BI readers.

Before the fix a publish redefined every view with no lock timeout: one BI transaction left
open stalled it while it held exclusive locks on the views it had already redefined, and every
BI query queued behind it. And a validation that failed once kept its run from ever publishing,
even after the data was fixed and the validation re-run.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid

import psycopg
import pytest

from motcua.publishing.contract import ContractError, PublishedView, published_views
from motcua.publishing.publish import PublishRefused, publish
from motcua.quality.gate import SuiteOutcome, record_outcomes

MART = "fct_publish_probe"
VIEW = PublishedView(
    "publish_probe",
    MART,
    "Probe mart of the publish tests.",
    (("unit_code", "Mã đơn vị."), ("received", "Số hồ sơ.")),
    suite="publish_probe",
    grain=("unit_code",),
)


@pytest.fixture()
def probe(wh_conn):
    wh_conn.execute(f"drop table if exists audit.{MART}")
    wh_conn.execute(f"drop table if exists validated.{MART} cascade")
    wh_conn.execute(f"create table audit.{MART} as select '430'::text as unit_code, 10 as received")
    yield wh_conn
    wh_conn.execute(f"drop table if exists audit.{MART}")
    wh_conn.execute(f"drop table if exists validated.{MART} cascade")


def _passed(conn, run_id: str, success: bool = True) -> None:
    outcome = SuiteOutcome(VIEW.suite, VIEW.relation, success, evaluated=1, failed=0 if success else 1)
    record_outcomes(conn, run_id, [outcome])


@pytest.fixture()
def reader_url(warehouse, wh_conn):
    """A BI login: member of motcua_reader, nothing else."""
    from motcua.config import PostgresTarget

    name, password = f"bi_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    wh_conn.execute(f"create role {name} login password '{password}' in role motcua_reader")
    target = PostgresTarget.from_url(warehouse.url)
    yield PostgresTarget(target.host, target.port, name, password, target.dbname).libpq_url()
    wh_conn.execute(f"drop role {name}")


def test_a_cleared_and_rerun_validation_publishes(probe, warehouse):
    run_id = f"manual__{uuid.uuid4().hex}"
    with psycopg.connect(warehouse.url) as conn:
        _passed(conn, run_id, success=False)
        with pytest.raises(PublishRefused, match=r"audit\.fct_publish_probe"):
            publish(conn, run_id, [VIEW])
        _passed(conn, run_id, success=True)  # the data was fixed and the task cleared
        assert publish(conn, run_id, [VIEW]) == {"publish_probe": 1}
        _passed(conn, run_id, success=False)  # ... and a later re-run failing counts too
        with pytest.raises(PublishRefused):
            publish(conn, run_id, [VIEW])


def test_a_run_without_a_result_for_a_guarded_mart_publishes_nothing(probe, warehouse):
    with psycopg.connect(warehouse.url) as conn, pytest.raises(PublishRefused, match="no passing validation"):
        publish(conn, f"manual__{uuid.uuid4().hex}", [VIEW])


def _publish_in_thread(url: str, run_id: str) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def work() -> None:
        try:
            with psycopg.connect(url) as conn:
                outcome["counts"] = publish(conn, run_id, [VIEW])
        except Exception as err:  # reported to the test
            outcome["error"] = err
        outcome["finished_at"] = time.monotonic()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("change", ["rows", "columns"])
def test_a_bi_transaction_open_during_a_publish_and_both_finish(probe, warehouse, reader_url, change):
    """Rows change: the publish needs no lock a reader holds. Columns change: it needs the view's
    exclusive lock, waits for it a bounded time, retries, and meanwhile other BI queries run."""
    run_id = f"manual__{uuid.uuid4().hex}"
    with psycopg.connect(warehouse.url) as conn:
        _passed(conn, run_id)
        publish(conn, run_id, [VIEW])
    if change == "rows":
        probe.execute(f"insert into audit.{MART} values ('17935', 4)")
    else:
        probe.execute(f"alter table audit.{MART} alter column received type bigint")
        probe.execute(f"insert into audit.{MART} values ('17935', 4)")

    with psycopg.connect(reader_url) as reader:
        reader.execute("begin isolation level repeatable read")
        assert reader.execute("select sum(received) from published.publish_probe").fetchone()[0] == 10
        thread, outcome = _publish_in_thread(warehouse.url, run_id)
        if change == "columns":
            time.sleep(1.5)  # the publish is now waiting for the reader's lock, or between attempts
            with psycopg.connect(reader_url) as other:
                other.execute("set lock_timeout = '20s'")
                # Any BI query still runs: nothing holds an exclusive lock while waiting on a reader.
                assert other.execute("select count(*) from published.publish_probe").fetchone()[0] == 1
            assert thread.is_alive(), "the publish should still wait for the reader's transaction"
        else:
            thread.join(timeout=60)
            assert "counts" in outcome, outcome
        # The reader's snapshot is the old release until it ends its transaction.
        assert reader.execute("select sum(received) from published.publish_probe").fetchone()[0] == 10
        reader.execute("commit")
        ended_at = time.monotonic()
        thread.join(timeout=90)
        assert outcome.get("counts") == {"publish_probe": 2}, outcome
        if change == "columns":
            assert outcome["finished_at"] >= ended_at
        assert reader.execute("select sum(received) from published.publish_probe").fetchone()[0] == 14


def _bi_indexes(conn) -> dict[str, int]:
    return dict(
        conn.execute(
            """select c.relname, c.oid::int from pg_index i join pg_class c on c.oid = i.indexrelid
               where i.indrelid = to_regclass(%s) and c.relname like %s""",
            (f"validated.{MART}", "%\\_\\_bi\\_%"),
        ).fetchall()
    )


def test_the_declared_bi_indexes_are_built_once_and_follow_the_declaration(probe, warehouse):
    run_id = f"manual__{uuid.uuid4().hex}"
    by_unit = dataclasses.replace(VIEW, indexes=(("unit_code", "received"),))
    with psycopg.connect(warehouse.url) as conn:
        _passed(conn, run_id)
        publish(conn, run_id, [by_unit])
        first = _bi_indexes(conn)
        assert list(first) == [by_unit.index_name(("unit_code", "received"))]
        definition = conn.execute("select pg_get_indexdef(%s::oid)", (next(iter(first.values())),)).fetchone()[0]
        assert definition.endswith("(unit_code, received)")
        # Statistics are fresh for BI's plans as soon as the release commits.
        assert (
            conn.execute("select reltuples from pg_class where oid = %s::regclass", (f"validated.{MART}",)).fetchone()[
                0
            ]
            == 1
        )

        publish(conn, run_id, [by_unit])
        assert _bi_indexes(conn) == first, "a release with the same declaration rebuilt the index"

        by_received = dataclasses.replace(VIEW, indexes=(("received",),))
        publish(conn, run_id, [by_received])
        assert list(_bi_indexes(conn)) == [by_received.index_name(("received",))]


def test_bi_indexes_must_name_published_columns(tmp_path):
    manifest = {
        "nodes": {
            f"model.motcua.{mart}": {
                "resource_type": "model",
                "name": mart,
                "description": "d",
                "columns": {"unit_code": {"description": "u"}, "citizen_name": {"meta": {"personal_data": True}}},
                "config": {
                    "meta": {
                        "publish": {"view": mart, "suite": mart},
                        "bi_indexes": [["unit_code", "citizen_name"]] if mart == "fct_dossiers" else [],
                    }
                },
            }
            for mart in ("dim_units", "fct_dossiers")
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match=r"fct_dossiers: bi_indexes entry \['unit_code', 'citizen_name'\]"):
        published_views(path)


def test_an_incremental_mart_publishes_only_the_rows_changed_since_its_last_publish(wh_conn):
    from motcua.publishing.contract import ChangeScope
    from motcua.quality.gate import change_scope

    mart = "fct_publish_changes_probe"
    view = PublishedView(
        "publish_changes_probe",
        mart,
        "Probe of incremental publishing.",
        (("month", "Tháng."), ("unit_code", "Mã đơn vị."), ("received", "Số hồ sơ.")),
        suite="probe",
        grain=("month", "unit_code"),
        documented=("month", "unit_code", "received", "built_at_load_seq"),
        changes=ChangeScope("built_at_load_seq", "month"),
    )
    wh_conn.execute(f"drop table if exists audit.{mart}")
    wh_conn.execute(f"drop table if exists validated.{mart} cascade")
    wh_conn.execute("delete from ops.publish_watermarks where mart = %s", (mart,))
    wh_conn.execute(
        f"""create table audit.{mart} as
            select m as month, u as unit_code, 10 as received, 5::bigint as built_at_load_seq
            from unnest(array['2025-04', '2025-05', '2025-06']) m, unnest(array['430', '17935']) u"""
    )
    try:
        # Never published: validated and published whole, and the watermark set.
        assert change_scope(wh_conn, view) is None
        run_id = f"manual__{uuid.uuid4().hex}"
        record_outcomes(wh_conn, run_id, [SuiteOutcome("probe", view.relation, True, 1, 0)])
        assert publish(wh_conn, run_id, [view]) == {"publish_changes_probe": 6}
        watermark = wh_conn.execute("select published_upto from ops.publish_watermarks where mart = %s", (mart,))
        assert watermark.fetchone() == (5,)
        untouched = dict(
            wh_conn.execute(f"select month || unit_code, xmin::text from validated.{mart} where month <> '2025-06'")
        )

        # A build recomputes June whole: one unit's figure changes, one unit's row disappears.
        wh_conn.execute(f"delete from audit.{mart} where month = '2025-06'")
        wh_conn.execute(f"insert into audit.{mart} values ('2025-06', '430', 12, 9)")
        scope = change_scope(wh_conn, view)
        assert scope == {
            "column": "built_at_load_seq",
            "key": "month",
            "above": 5,
            "upto": 9,
            "predicate": "(built_at_load_seq > 5)",
        }
        run_id = f"manual__{uuid.uuid4().hex}"
        record_outcomes(wh_conn, run_id, [SuiteOutcome("probe", view.relation, True, 1, 0, scope=scope)])
        assert publish(wh_conn, run_id, [view]) == {"publish_changes_probe": 1}

        published = wh_conn.execute(f"select * from validated.{mart} order by 1, 2").fetchall()
        assert published == wh_conn.execute(f"select * from audit.{mart} order by 1, 2").fetchall()
        # Months the build did not touch were not rewritten: the cost follows what changed.
        assert (
            dict(
                wh_conn.execute(f"select month || unit_code, xmin::text from validated.{mart} where month <> '2025-06'")
            )
            == untouched
        )
        watermark = wh_conn.execute("select published_upto from ops.publish_watermarks where mart = %s", (mart,))
        assert watermark.fetchone() == (9,)
    finally:
        wh_conn.execute(f"drop view if exists published.{view.view}")
        wh_conn.execute(f"drop table if exists audit.{mart}")
        wh_conn.execute(f"drop table if exists validated.{mart} cascade")
        wh_conn.execute("delete from ops.publish_watermarks where mart = %s", (mart,))
