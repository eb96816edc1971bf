from __future__ import annotations

import httpx
import pytest

from motcua.feeds.http import FeedError, get_json
from motcua.feeds.one_stop import OneStopClient


def _client(responses: list) -> tuple[httpx.Client, list]:
    calls: list = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.Client(base_url="http://feed", transport=httpx.MockTransport(handler)), calls


def test_retries_transient_errors_with_backoff():
    client, calls = _client(
        [
            httpx.Response(429, headers={"Retry-After": "0"}),
            httpx.Response(503),
            httpx.ConnectTimeout("slow"),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    sleeps: list[float] = []
    assert get_json(client, "/x", {}, sleep=sleeps.append, backoff_seconds=0.5) == {"ok": True}
    assert len(calls) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_gives_up_after_attempts_with_the_last_reason():
    client, _ = _client([httpx.Response(500)] * 3)
    with pytest.raises(FeedError, match="failed 3 times, last: HTTP 500"):
        get_json(client, "/x", {}, attempts=3, sleep=lambda s: None)


def test_client_errors_are_final():
    client, calls = _client([httpx.Response(404, text="no such unit")])
    with pytest.raises(FeedError, match="404"):
        get_json(client, "/x", {}, sleep=lambda s: None)
    assert len(calls) == 1


def test_dossier_pages_follow_the_cursor_and_keep_bad_items():
    pages = [
        httpx.Response(200, json={"items": [{"dossier_code": "A", "version": 1}, "garbage"], "next_cursor": "c2"}),
        httpx.Response(200, json={"items": [{"dossier_code": "B", "version": 2}], "next_cursor": None}),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return pages.pop(0)

    client = OneStopClient("http://feed")
    client._client = httpx.Client(base_url="http://feed", transport=httpx.MockTransport(handler))
    from datetime import UTC, datetime

    items = list(client.dossiers("430", datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC)))
    assert [i.payload["dossier_code"] if i.payload else None for i in items] == ["A", None, "B"]
    assert items[1].raw_text == '"garbage"'
    assert "cursor=c2" in str(seen[1].url)
