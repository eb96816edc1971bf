"""HTTP with retries: the source systems answer 429 and 5xx and time out under load.

Retries are tenacity's; what this module adds is the feed's view of a response: a body that
is not JSON (an HTML error page from a proxy, a cut connection) is an error naming the URL,
the status and what arrived, never an empty page.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import httpx
import tenacity

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}


class FeedError(RuntimeError):
    """A feed request failed for good (after retries, or with an error that retrying cannot fix)."""


class _Transient(Exception):
    """One failed attempt worth retrying; ``retry_after`` is the server's wish in seconds."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def describe(response: httpx.Response) -> str:
    """``GET http://host/path answered 200 (text/html)``: enough to find the request again."""
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return f"{response.request.method} {response.request.url} answered {response.status_code} ({kind})"


def _snippet(response: httpx.Response) -> str:
    text = response.content[:200].decode("utf-8", errors="replace")
    return " ".join(text.split())


def _attempt(client: httpx.Client, method: str, path: str, params: dict, body: dict | None) -> object:
    try:
        response = client.request(method, path, params=params, json=body)
    except httpx.TransportError as err:  # timeouts, refused connections
        raise _Transient(f"{type(err).__name__}: {err}") from None
    if response.status_code in RETRY_STATUSES:
        header = response.headers.get("Retry-After", "")
        raise _Transient(f"HTTP {response.status_code}", float(header) if header.isdigit() else 0.0)
    if response.status_code >= 400:
        raise FeedError(f"{describe(response)}: {_snippet(response)}")
    try:
        return response.json()
    except json.JSONDecodeError as err:
        # A proxy's HTML page or a body cut short: often transient, so retried, then reported.
        problem = f"{err.msg} at byte {err.pos} of {len(response.content)}"
    except UnicodeDecodeError:
        problem = "not UTF-8"
    raise _Transient(f"{describe(response)}, not JSON ({problem}): {_snippet(response)!r}")


def request_json(
    client: httpx.Client,
    method: str,
    path: str,
    params: dict | None = None,
    body: dict | None = None,
    *,
    attempts: int = 5,
    backoff_seconds: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> object:
    """Send the request and decode its JSON body, retrying transient failures with exponential backoff."""

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = error.retry_after if isinstance(error, _Transient) else 0.0
        return max(backoff_seconds * 2 ** (state.attempt_number - 1), retry_after)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s %s: %s; retry %d/%d in %.1fs",
            method,
            path,
            error,
            state.attempt_number,
            attempts - 1,
            state.upcoming_sleep,
        )

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(_Transient),
        stop=tenacity.stop_after_attempt(attempts),
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(_attempt, client, method, path, params or {}, body)
    except _Transient as err:
        raise FeedError(f"{method} {path} failed {attempts} times, last: {err}") from None


def get_json(client: httpx.Client, path: str, params: dict, **kwargs) -> object:
    """GET ``path`` and decode its JSON body (see :func:`request_json`)."""
    return request_json(client, "GET", path, params, **kwargs)


def envelope_list(page: object, key: str, where: str) -> list:
    """``page[key]`` when ``page`` is a JSON object holding a list there, else a :class:`FeedError`.

    A feed that answers ``{}`` or an error object with status 200 must not read as "nothing
    changed": the watermark would move past records that were never pulled.
    """
    if not isinstance(page, dict):
        raise FeedError(f"{where}: expected a JSON object with {key!r}, got a JSON {type(page).__name__}")
    if key not in page:
        keys = ", ".join(sorted(page)[:10]) or "none"
        raise FeedError(f"{where}: the response has no {key!r} list (its keys: {keys})")
    value = page[key]
    if not isinstance(value, list):
        raise FeedError(f"{where}: {key!r} must be a list, got {type(value).__name__}")
    return value
