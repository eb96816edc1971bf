"""A feed that answers something the client does not understand is an error, never "no changes".

A real HTTP server on 127.0.0.1 serves canned bodies; the real extract-load job pulls from it.
Before the fix, ``{}`` read as an empty page: the ledger showed 0 received, the watermark moved
to the end of the day, and the dossiers changed that day were never pulled.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from motcua.feeds.http import FeedError
from motcua.orchestration.tasks import extract_load_unit, units_to_pull

START, END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
EMPTY_PAGE = (200, "application/json", b'{"items": [], "total": 0, "next_cursor": null}')


def _dossier(i: int) -> dict:
    return {
        "dossier_code": f"G-250301-{i:04d}",
        "version": 1,
        "updated_at": "2025-03-01T09:00:00+07:00",
        "unit_code": "430",
        "procedure_code": "1.001193",
        "status": 2,
        "received_at": "2025-03-01T08:00:00+07:00",
    }


class CannedFeed:
    """Answers each path with the (status, content type, body) set for it."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str, bytes]] = {}
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, kind, body = feed.answers.get(urlsplit(self.path).path, EMPTY_PAGE)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture()
def canned_feed(monkeypatch) -> Iterator[CannedFeed]:
    feed = CannedFeed()
    thread = threading.Thread(target=feed.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("MOTCUA_FEED_URL", feed.url)
    monkeypatch.setenv("MOTCUA_FEED_BACKOFF_SECONDS", "0")
    yield feed
    feed.server.shutdown()


@pytest.fixture()
def clean_raw(wh_conn):
    wh_conn.execute("truncate raw.one_stop_dossiers, raw.quarantine, raw.batch_ledger, raw.watermarks")
    return wh_conn


UNUNDERSTOOD = {
    "empty object": ((200, "application/json", b"{}"), "has no 'items' list (its keys: none)"),
    "error object": ((200, "application/json", b'{"error": "maintenance"}'), "(its keys: error)"),
    "items null": ((200, "application/json", b'{"items": null}'), "'items' must be a list, got NoneType"),
    "HTML page": ((200, "text/html", b"<html><body>B\xe1\xba\xa3o tr\xc3\xac</body></html>"), "(text/html), not JSON"),
    "truncated JSON": ((200, "application/json", b'{"items": [{"dossier_code": "G-25'), "not JSON (Unterminated"),
}


@pytest.mark.parametrize("case", UNUNDERSTOOD)
def test_an_envelope_the_client_does_not_know_fails_and_the_watermark_stays(canned_feed, clean_raw, case):
    answer, expected = UNUNDERSTOOD[case]
    path = "/v1/units/430/dossiers"
    canned_feed.answers[path] = answer
    with pytest.raises(FeedError) as failure:
        extract_load_unit("430", START, END)
    message = str(failure.value)
    assert path in message and expected in message, message
    assert "\n" not in message
    assert clean_raw.execute("select count(*) from raw.watermarks").fetchone()[0] == 0
    ledger = clean_raw.execute("select source, status, error from raw.batch_ledger").fetchall()
    assert [(source, status) for source, status, _ in ledger] == [("one_stop_dossiers", "failed")]
    assert expected in ledger[0][2]

    # The feed recovers: the next pull starts where the failed one did, and every dossier lands.
    served = [_dossier(i) for i in range(17)]
    canned_feed.answers[path] = (200, "application/json", json.dumps({"items": served, "next_cursor": None}).encode())
    summary = extract_load_unit("430", START, END)
    assert summary["one_stop_dossiers"]["loaded"] == 17
    assert clean_raw.execute("select count(*) from raw.one_stop_dossiers").fetchone()[0] == 17


def test_a_unit_list_the_client_does_not_know_is_a_clear_error(canned_feed):
    canned_feed.answers["/v1/units"] = (200, "application/json", b"{}")
    with pytest.raises(FeedError, match=r"GET /v1/units\?on=2025-03-01: the response has no 'items' list"):
        units_to_pull(START.date())
    canned_feed.answers["/v1/units"] = (200, "application/json", '{"items": [{"name": "Huyện Nam Đàn"}]}'.encode())
    with pytest.raises(FeedError, match="a unit without a unit_code"):
        units_to_pull(START.date())
