"""Property-based tests of the one-stop feed clients against the simulator's OpenAPI description.

(The portal's client speaks the portal's own API and is tested on real responses in
``test_portal_client.py``.)

Pages are generated from the 200 response schemas of ``/openapi.json`` (schemathesis' JSON
Schema engine) and served through ``httpx.MockTransport``:

(a) every item of every page of a well-formed response is yielded exactly once, in order,
    following ``next_cursor`` until it is null;
(b) an envelope the client does not recognise (``{}``, a JSON array or scalar, ``items`` null
    or not a list, no ``items`` but other keys, an HTML page, truncated JSON, bytes that are not
    UTF-8), all with status 200, raises :class:`FeedError` naming the URL path and what was
    wrong. It never reads as an empty page: the watermark would move past records never pulled.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import NamedTuple

import httpx
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from schemathesis.generation.jsonschema.builder import build

from motcua.feeds.http import FeedError
from motcua.feeds.one_stop import OneStopClient
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import VN_TZ

BASE = "http://feed.test"
SINCE = datetime(2025, 6, 30, tzinfo=VN_TZ)
UNTIL = datetime(2025, 7, 1, tzinfo=VN_TZ)
ON = date(2025, 6, 30)
FEEDS = {  # path the client is given -> path template in the OpenAPI description
    "/v1/units/430/dossiers": "/v1/units/{unit_code}/dossiers",
    "/v1/units/430/ratings": "/v1/units/{unit_code}/ratings",
    "/v1/units/430/documents": "/v1/units/{unit_code}/documents",
    "/v1/procedures": "/v1/procedures",
}

SPEC = create_app(unit_codes=set()).openapi()
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # No explain phase: varying each draw of a failing example regenerates whole pages, minutes per test.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
BROKEN_SETTINGS = settings(SETTINGS, max_examples=12)


# -- strategies from the OpenAPI description ------------------------------------------------------


def _inline(node: object) -> object:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(SPEC["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
        return {key: _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value) for value in node]
    return node


def response_schema(template: str) -> dict:
    """The JSON schema of a 200 answer to ``GET template``, $refs inlined, at most 4 records a page
    (big pages only cost time)."""
    schema = _inline(SPEC["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
    for key in ("items", "data"):
        if key in schema["properties"]:
            schema["properties"][key]["maxItems"] = 4
    return schema


def from_schema(schema: dict) -> st.SearchStrategy:
    # schemathesis 4 generates from JSON Schema with its own engine (it does not ship
    # hypothesis-jsonschema); this is the one place that uses it directly.
    return build(schema, draft=jsonschema_rs.Draft202012, formats={})


def cursor_schema(page_schema: dict) -> dict:
    """The non-null branch of ``next_cursor``."""
    branches = page_schema["properties"]["next_cursor"]["anyOf"]
    return next(b for b in branches if b.get("type") != "null")


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
#: Malformed items a source sends among good ones (docs/feed_contract.md): kept for quarantine.
JUNK_ITEMS = st.one_of(JSON_SCALARS, st.lists(st.integers(), max_size=3))


def canonical(item: object) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


@st.composite
def page_chains(draw: st.DrawFn, template: str, key: str = "items") -> list[dict]:
    """1-4 pages generated from the page schema, chained by unique cursors, the last one null."""
    schema = response_schema(template)
    pages = draw(st.lists(from_schema(schema), min_size=1, max_size=4))
    cursors = draw(
        st.lists(from_schema(cursor_schema(schema)), unique=True, min_size=len(pages) - 1, max_size=len(pages) - 1)
    )
    chained = []
    for number, page in enumerate(pages):
        records = list(page[key])
        for position, junk in draw(st.lists(st.tuples(st.integers(0, 8), JUNK_ITEMS), max_size=2)):
            records.insert(min(position, len(records)), junk)
        cursor = cursors[number] if number < len(cursors) else None
        chained.append({**page, key: records, "next_cursor": cursor})
    return chained


#: What can be wrong with a 200 answer ("list": the envelope's ``items``),
#: and words one of which the client's error must use to say so.
BROKEN = {
    "{}": ("{key}",),
    "JSON array": ("{key}", "object"),
    "JSON scalar": ("{key}", "object"),
    "list null": ("{key}",),
    "list not a list": ("{key}",),
    "list missing, other keys": ("{key}",),
    "HTML page": ("json",),
    "truncated JSON": ("json",),
    "not UTF-8": ("json", "utf-8", "utf8", "decode", "encoding", "unicode"),
}


class Body(NamedTuple):
    """A response body as sent (status 200)."""

    content: bytes
    content_type: str = "application/json"


@st.composite
def broken_bodies(draw: st.DrawFn, kind: str, key: str, good_pages: st.SearchStrategy) -> Body:
    """A 200 answer of ``kind`` (a key of BROKEN)."""
    if kind == "{}":
        return _json_body({})
    if kind == "JSON array":
        return _json_body(draw(st.lists(JSON_VALUES, max_size=3)))
    if kind == "JSON scalar":
        return _json_body(draw(JSON_SCALARS))
    if kind == "list null":
        return _json_body({key: None, "next_cursor": None})
    if kind == "list not a list":
        value = draw(
            st.one_of(
                st.text(max_size=5), st.integers(), st.booleans(), st.dictionaries(st.text(max_size=5), JSON_SCALARS)
            )
        )
        return _json_body({key: value, "next_cursor": None})
    if kind == "list missing, other keys":
        names = st.text(max_size=8).filter(lambda name: name != key)
        return _json_body(draw(st.dictionaries(names, JSON_VALUES, min_size=1, max_size=4)))
    if kind == "HTML page":
        title = draw(st.sampled_from(["502 Bad Gateway", "Đăng nhập hệ thống", "Hệ thống đang bảo trì"]))
        text = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return Body(text.encode(), "text/html; charset=utf-8")
    page = {**draw(good_pages), "next_cursor": None}
    if kind == "truncated JSON":
        body = json.dumps(page, ensure_ascii=False).encode()
        return Body(body[: draw(st.integers(0, len(body) - 1))])
    assert kind == "not UTF-8", kind
    # A string in a legacy encoding (Windows-1258), or bytes no encoding of Unicode produces.
    bad = draw(st.sampled_from(["Nam Đàn".encode("cp1258"), b"\xff", b"\xfe\xff", b"\x80", b"\xc3\x28", b"\xe2\x82"]))
    marked = json.dumps({**page, "nguon": "@@"}, ensure_ascii=False).encode()
    return Body(marked.replace(b'"@@"', b'"' + bad + b'"'))


def _json_body(value: object) -> Body:
    return Body(json.dumps(value, ensure_ascii=False).encode())


# -- a source behind a mock transport -------------------------------------------------------------


class Source:
    """Serves ``pages`` at ``path``: the first without a cursor, each next one at the previous
    page's ``next_cursor``; ``broken`` (with status 200) in place of page ``broken_at``."""

    def __init__(self, path: str, pages: list, broken: Body | None = None, broken_at: int = -1) -> None:
        self.path = path
        self.pages = pages
        self.broken, self.broken_at = broken, broken_at
        self.by_cursor = {None: 0} | {page["next_cursor"]: n + 1 for n, page in enumerate(pages) if page["next_cursor"]}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        number = self.by_cursor.get(request.url.params.get("cursor"))
        if request.url.path != self.path or number is None:
            return httpx.Response(404, json={"detail": "no such page"})
        if number == self.broken_at:
            assert self.broken is not None
            return httpx.Response(200, content=self.broken.content, headers={"content-type": self.broken.content_type})
        return httpx.Response(200, json=self.pages[number])

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def one_stop(source: Source) -> OneStopClient:
    return OneStopClient(BASE, backoff_seconds=0, page_size=3, transport=source.transport())


def assert_names_problem(error: FeedError, path: str, kind: str, key: str) -> None:
    message = str(error)
    words = [word.format(key=key) for word in BROKEN[kind]]
    assert path in message, f"{kind}: the error does not name {path}: {message}"
    assert any(word in message.casefold() for word in words), f"{kind}: the error says none of {words}: {message}"


# -- (a) well-formed responses ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(FEEDS))
@SETTINGS
@given(data=st.data())
def test_changed_yields_every_item_of_every_page_once(path, data):
    pages = data.draw(page_chains(FEEDS[path]))
    event(f"{len(pages)} pages, {sum(len(p['items']) for p in pages)} items")
    source = Source(path, pages)
    with one_stop(source) as client:
        got = list(client.changed(path, SINCE, UNTIL))
    expected = [item for page in pages for item in page["items"]]
    assert [item.raw_text for item in got] == [canonical(item) for item in expected]
    assert [item.payload for item in got] == [item if isinstance(item, dict) else None for item in expected]
    # One request per page, each with the previous page's cursor and the same interval.
    assert [r.url.params.get("cursor") for r in source.requests] == [None] + [p["next_cursor"] for p in pages[:-1]]
    for request in source.requests:
        assert request.url.path == path
        assert request.url.params["updated_since"] == SINCE.isoformat()
        assert request.url.params["updated_until"] == UNTIL.isoformat()
        assert request.url.params["limit"] == "3"


@SETTINGS
@given(page=from_schema(response_schema("/v1/units")))
def test_units_returns_every_unit_listed(page):
    source = Source("/v1/units", [{**page, "next_cursor": None}])
    with one_stop(source) as client:
        assert client.units(ON) == page["items"]
    assert [dict(r.url.params) for r in source.requests] == [{"on": ON.isoformat()}]


# -- (b) envelopes the client does not recognise ---------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BROKEN))
@BROKEN_SETTINGS
@given(data=st.data())
def test_changed_refuses_an_unrecognised_envelope_on_any_page(kind, data):
    path = data.draw(st.sampled_from(sorted(FEEDS)))
    pages = data.draw(page_chains(FEEDS[path]))
    broken = data.draw(broken_bodies(kind, "items", from_schema(response_schema(FEEDS[path]))))
    broken_at = data.draw(st.integers(0, len(pages) - 1))
    event(f"page {broken_at + 1} of {len(pages)}")
    source = Source(path, pages, broken, broken_at)
    got = []
    with one_stop(source) as client, pytest.raises(FeedError) as raised:
        for item in client.changed(path, SINCE, UNTIL):
            got.append(item)
    # Pages before the broken one were yielded, once; nothing after it was asked for.
    assert [item.raw_text for item in got] == [canonical(i) for page in pages[:broken_at] for i in page["items"]]
    assert {r.url.params.get("cursor") for r in source.requests} == {
        None,
        *(p["next_cursor"] for p in pages[:broken_at]),
    }
    assert_names_problem(raised.value, path, kind, "items")


@pytest.mark.parametrize("kind", sorted(BROKEN))
@BROKEN_SETTINGS
@given(data=st.data())
def test_units_refuses_an_unrecognised_envelope(kind, data):
    broken = data.draw(broken_bodies(kind, "items", from_schema(response_schema("/v1/units"))))
    source = Source("/v1/units", [{"items": [], "next_cursor": None}], broken, 0)
    with one_stop(source) as client, pytest.raises(FeedError) as raised:
        client.units(ON)
    assert_names_problem(raised.value, "/v1/units", kind, "items")
