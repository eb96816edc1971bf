"""Alerts reach a real SMTP server and a real HTTP receiver on 127.0.0.1, once per failure, with a
recovery message after the next good run; validations leave Data Docs pages a browser can open."""

from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from motcua.alerting.alerts import raise_alert, resolve_alerts
from motcua.alerting.messages import AlertMessage
from motcua.orchestration import tasks
from motcua.publishing.contract import PublishedView
from motcua.quality.gate import run_suites
from motcua.quality.suites import SuiteFile

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from alert_receivers import receivers


@pytest.fixture()
def inbox(warehouse, monkeypatch):
    with receivers() as received:
        monkeypatch.setenv("MOTCUA_ALERT_URLS", " ".join(received.urls))
        monkeypatch.delenv("MOTCUA_ALERT_WEBHOOK_URL", raising=False)
        yield received


def _alerts(conn, scope: str) -> list[tuple]:
    return conn.execute(
        """select severity, source, resolved_at is not null, delivered
           from ops.alerts where scope = %s order by alert_id""",
        (scope,),
    ).fetchall()


def test_an_alert_reaches_email_and_webhook_once_per_failure(inbox, warehouse, wh_conn):
    scope = f"dag_{uuid.uuid4().hex[:8]}"
    message = AlertMessage("[Motcua] Kiểm định không đạt / Validation failed", "Đơn vị / Units: 430, 17935")
    first = raise_alert(warehouse.url, "critical", "validation_gate", message, dedup_key=f"v:{scope}:r1", scope=scope)
    # The same failure again (a retry, the task cleared and re-run): stored and sent once.
    again = raise_alert(warehouse.url, "critical", "validation_gate", message, dedup_key=f"v:{scope}:r1", scope=scope)
    assert first is not None and again is None
    assert [subject for subject, _ in inbox.emails] == [message.title]
    assert "Đơn vị / Units: 430, 17935" in inbox.emails[0][1]
    assert [(p["title"], p["message"], p["type"]) for p in inbox.posts] == [(message.title, message.body, "failure")]
    [(severity, _, resolved, delivered)] = _alerts(wh_conn, scope)
    assert (severity, resolved) == ("critical", False)
    assert sorted(delivered.values()) == [True, True], delivered


def test_a_good_run_resolves_open_alerts_with_one_recovery_message(inbox, warehouse, wh_conn):
    scope = f"dag_{uuid.uuid4().hex[:8]}"
    for task in ("extract_load_unit", "validate"):
        raise_alert(warehouse.url, "error", task, f"{task} failed", dedup_key=f"t:{scope}:{task}", scope=scope)
    inbox.clear()
    assert resolve_alerts(warehouse.url, scope, "scheduled__2025-06-12") is not None
    [(subject, text)] = inbox.emails
    assert "Đã khôi phục / Recovered" in subject and scope in subject
    assert "extract_load_unit failed" in text and "validate failed" in text
    assert [p["type"] for p in inbox.posts] == ["success"]
    assert all(resolved for severity, _, resolved, _ in _alerts(wh_conn, scope) if severity != "recovery")
    # The next good run has nothing to resolve: it sends nothing.
    inbox.clear()
    assert resolve_alerts(warehouse.url, scope, "scheduled__2025-06-13") is None
    assert inbox.emails == [] and inbox.posts == []


def test_a_channel_that_fails_never_loses_the_alert(warehouse, wh_conn, monkeypatch):
    with socket_closed() as dead_port:
        monkeypatch.setenv("MOTCUA_ALERT_URLS", f"json://127.0.0.1:{dead_port}/alerts")
        scope = f"dag_{uuid.uuid4().hex[:8]}"
        assert raise_alert(warehouse.url, "error", "t", "task failed", dedup_key=f"t:{scope}", scope=scope)
    [(_, _, _, delivered)] = _alerts(wh_conn, scope)
    assert delivered == {f"json://127.0.0.1:{dead_port}": False}


def test_a_run_that_times_out_alerts_but_a_failed_task_is_not_alerted_twice(inbox, warehouse, wh_conn):
    dag_id = f"dag_{uuid.uuid4().hex[:8]}"
    timed_out = SimpleNamespace(dag_id=dag_id, run_id="scheduled__2025-06-10")
    tasks.alert_on_run_failure({"dag_run": timed_out, "reason": "timed_out"})
    assert len(inbox.emails) == 1 and "Run timed out" in inbox.emails[0][0]

    failed_task = SimpleNamespace(dag_id=dag_id, task_id="extract_load_unit", try_number=5)
    context = {"task_instance": failed_task, "run_id": "scheduled__2025-06-11", "exception": RuntimeError("HTTP 503")}
    tasks.alert_on_failure(context)
    tasks.alert_on_failure(context)  # the task cleared and failing again in the same run
    run = SimpleNamespace(dag_id=dag_id, run_id="scheduled__2025-06-11")
    tasks.alert_on_run_failure({"dag_run": run, "reason": "task_failure"})
    assert len(inbox.emails) == 2, [s for s, _ in inbox.emails]
    assert "Task failed" in inbox.emails[1][0] and "HTTP 503" in inbox.emails[1][1]


def test_validation_writes_data_docs_that_the_docs_command_serves(warehouse, wh_conn, monkeypatch):
    from motcua.cli.quality import docs_server

    mart = f"fct_docs_probe_{uuid.uuid4().hex[:6]}"
    wh_conn.execute(f"create table audit.{mart} as select '430'::text as unit_code, -1 as received")
    view = PublishedView(
        "docs_probe",
        mart,
        "probe",
        (("unit_code", "u"), ("received", "r")),
        suite="probe",
        grain=("unit_code",),
        unit_column="unit_code",
        documented=("unit_code", "received"),
    )
    suite = SuiteFile(
        Path("probe.json"),
        "probe",
        "",
        [{"type": "expect_column_values_to_be_between", "kwargs": {"column": "received", "min_value": 0}}],
    )
    server = None
    try:
        # The site exists once a validation wrote it; serve it where alerts will link.
        run_suites(warehouse.url, "manual__warmup", [(view, suite)])
        server = docs_server("127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setenv("MOTCUA_DATA_DOCS_URL", f"http://127.0.0.1:{server.server_port}")
        [outcome] = run_suites(warehouse.url, "scheduled__2025-06-10T17:00:00+00:00", [(view, suite)])
        assert not outcome.success and outcome.units == ["430"]
        assert outcome.failures[0]["unexpected_count"] == 1
        assert outcome.docs_url.startswith(f"http://127.0.0.1:{server.server_port}/validations/{mart}/")
        page = httpx.get(outcome.docs_url)
        assert page.status_code == 200 and mart in page.text
        # GX renders the failed expectation and its counts for people, not as its type name.
        assert "greater than or equal to" in page.text and "1 unexpected values found" in page.text
        index = httpx.get(f"http://127.0.0.1:{server.server_port}/index.html")
        assert index.status_code == 200 and mart in index.text
    finally:
        if server:
            server.shutdown()
            server.server_close()
        wh_conn.execute(f"drop table audit.{mart}")


class socket_closed:
    """A port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc) -> None:
        return None
