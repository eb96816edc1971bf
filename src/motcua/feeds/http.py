"""HTTP with retries: the source systems answer 429 and 5xx and time out under load."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}


class FeedError(RuntimeError):
    """A feed request failed for good (after retries, or with an error that retrying cannot fix)."""


def get_json(
    client: httpx.Client,
    path: str,
    params: dict,
    *,
    attempts: int = 5,
    backoff_seconds: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """GET ``path`` and decode JSON, retrying transient failures with exponential backoff."""
    for attempt in range(1, attempts + 1):
        retry_after = 0.0
        try:
            response = client.get(path, params=params)
        except httpx.TransportError as err:  # timeouts, refused connections
            reason = f"{type(err).__name__}: {err}"
        else:
            if response.status_code < 400:
                return response.json()
            if response.status_code not in RETRY_STATUSES:
                raise FeedError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
            reason = f"HTTP {response.status_code}"
            header = response.headers.get("Retry-After", "")
            if header.isdigit():  # the server's wish for this retry only
                retry_after = float(header)
        if attempt == attempts:
            raise FeedError(f"GET {path} failed {attempts} times, last: {reason}")
        delay = max(backoff_seconds * 2 ** (attempt - 1), retry_after)
        log.warning("GET %s: %s; retry %d/%d in %.1fs", path, reason, attempt, attempts - 1, delay)
        sleep(delay)
    raise AssertionError("unreachable")
