"""Fault switches (công tắc lỗi): what real source systems do to an extractor.

All off by default. Each is a rate in [0, 1] and every decision is a pure function of the seed
and what is being served, so a run is reproducible: HTTP faults depend on the request and how
many times that same request was already made (a retry can succeed), page faults on the
interval and page offset, record faults on the record's key (and version).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, fields, replace
from datetime import timedelta

from motcua_simulator.clock import unit_random
from motcua_simulator.sources import KEY_FIELDS

MALFORMED_KINDS = ("not_an_object", "missing_key", "version_not_integer", "broken_timestamp")
ADDED_FIELD = "nguon_dong_bo"  # "sync source": a field the contract does not know
ADDED_VALUE = "igate-v3"
RENAMED_FIELDS = {"dossiers": ("channel", "kenh_nop")}


@dataclass(frozen=True)
class FaultConfig:
    """Rates of each fault; ``FaultConfig()`` is a well-behaved source.

    HTTP (per request, retried requests draw again; after ``max_consecutive_failures`` failures
    of the same request it is served normally, so an extractor with 5 attempts always gets
    through):
      ``rate_limit`` 429 with ``Retry-After`` 0 or 1; ``server_error`` 500; ``slow`` sleeps
      ``slow_seconds`` before answering (set it above the client's timeout to cause timeouts).
    Pages (per interval and page offset):
      ``duplicate_page`` the next cursor points at the same page again (served twice);
      ``overlapping_pages`` the next page starts ``overlap_items`` items early;
      ``shuffle_within_page`` items of a page out of order;
      ``shuffle_across_pages`` the whole interval's items out of order before paging.
    Records (per key or key+version):
      ``late_commit`` a change becomes visible up to ``late_commit_max_minutes`` after its
      ``updated_at`` (keep it under the extractor's one-hour overlap window);
      ``added_field`` an unknown field ``nguon_dong_bo`` on every version of the record;
      ``renamed_field`` dossiers' ``channel`` served as ``kenh_nop`` on every version;
      ``malformed`` after a record, an extra malformed item: a non-object (truncated JSON
      text), a copy without its key, with ``version`` as a string, or with a broken
      ``updated_at``.
    """

    rate_limit: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 1.0
    max_consecutive_failures: int = 3
    duplicate_page: float = 0.0
    overlapping_pages: float = 0.0
    overlap_items: int = 2
    shuffle_within_page: float = 0.0
    shuffle_across_pages: float = 0.0
    late_commit: float = 0.0
    late_commit_max_minutes: int = 50
    added_field: float = 0.0
    renamed_field: float = 0.0
    malformed: float = 0.0
    seed: int | None = None  # defaults to the simulation profile's seed

    RATE_FIELDS = (
        "rate_limit",
        "server_error",
        "slow",
        "duplicate_page",
        "overlapping_pages",
        "shuffle_within_page",
        "shuffle_across_pages",
        "late_commit",
        "added_field",
        "renamed_field",
        "malformed",
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name in self.RATE_FIELDS and not 0.0 <= getattr(self, f.name) <= 1.0:
                raise ValueError(f"{f.name} must be a rate in [0, 1]")

    @classmethod
    def chaos(cls, rate: float = 0.1, **overrides: object) -> FaultConfig:
        """Every switch at ``rate`` (slow responses short: 0.05 s), then ``overrides``."""
        base = cls(**{name: rate for name in cls.RATE_FIELDS}, slow_seconds=0.05)
        return replace(base, **overrides)

    @property
    def enabled(self) -> bool:
        return any(getattr(self, name) for name in self.RATE_FIELDS)


class FaultInjector:
    """Applies a :class:`FaultConfig` deterministically; counts what it did."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self.config = config
        self.seed = config.seed if config.seed is not None else seed
        self._attempts: dict[str, int] = {}
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def _draw(self, *parts: object) -> float:
        return unit_random(self.seed, *parts)

    # -- HTTP --------------------------------------------------------------------------------
    def http_fault(self, request_key: str) -> tuple[int, dict[str, str]] | None:
        """(status, headers) to fail this request with, or None; sleeps for a slow response."""
        c = self.config
        if not (c.rate_limit or c.server_error or c.slow):
            return None
        with self._lock:
            attempt = self._attempts.get(request_key, 0) + 1
            self._attempts[request_key] = attempt
            if self._failures.get(request_key, 0) >= c.max_consecutive_failures:
                self._failures[request_key] = 0
                return None
        draw = self._draw("http", request_key, attempt)
        outcome: tuple[int, dict[str, str]] | None = None
        if draw < c.rate_limit:
            retry_after = "1" if self._draw("retry-after", request_key, attempt) < 0.5 else "0"
            outcome = (429, {"Retry-After": retry_after})
            self.count("http_429")
        elif draw < c.rate_limit + c.server_error:
            outcome = (500, {})
            self.count("http_500")
        elif draw < c.rate_limit + c.server_error + c.slow:
            self.count("slow")
            time.sleep(c.slow_seconds)
        with self._lock:
            if outcome is None and draw >= c.rate_limit + c.server_error + c.slow:
                self._failures[request_key] = 0
            else:
                self._failures[request_key] = self._failures.get(request_key, 0) + 1
        return outcome

    # -- records -----------------------------------------------------------------------------
    def commit_lag(self, source: str, key: str, version: int) -> timedelta:
        c = self.config
        if not c.late_commit or self._draw("late", source, key, version) >= c.late_commit:
            return timedelta(0)
        minutes = 1 + self._draw("late-minutes", source, key, version) * (c.late_commit_max_minutes - 1)
        return timedelta(minutes=minutes)

    def lag_function(self, source: str):
        if not self.config.late_commit:
            return None
        return lambda key, version: self.commit_lag(source, key, version)

    def drift(self, source: str, key: str, record: dict) -> dict:
        c = self.config
        if c.added_field and self._draw("added", source, key) < c.added_field:
            record = {**record, ADDED_FIELD: ADDED_VALUE}
        rename = RENAMED_FIELDS.get(source)
        if rename and c.renamed_field and rename[0] in record and self._draw("renamed", source, key) < c.renamed_field:
            old, new = rename
            record = {(new if k == old else k): v for k, v in record.items()}
        return record

    def malformed_after(self, source: str, key: str, record: dict) -> object | None:
        """A malformed item to serve after ``record``, or None."""
        c = self.config
        version = record.get("version")
        if not c.malformed or self._draw("malformed", source, key, version) >= c.malformed:
            return None
        kind = MALFORMED_KINDS[int(self._draw("malformed-kind", source, key, version) * len(MALFORMED_KINDS))]
        if kind == "not_an_object":
            text = json.dumps(record, ensure_ascii=False, sort_keys=True)
            return text[: max(10, len(text) // 3)]  # a truncated record, served as a string
        bad = copy.deepcopy(record)
        if kind == "missing_key":
            for name in KEY_FIELDS[source]:
                bad.pop(name, None)
        elif kind == "version_not_integer":
            bad["version"] = str(version)
        else:
            stamp = str(record.get("updated_at", ""))
            bad["updated_at"] = stamp[:8] + "32T25:61:00" if len(stamp) >= 10 else "32/13/2025 25:61"
        return bad

    # -- pages -------------------------------------------------------------------------------
    def page_draw(self, what: str, interval_key: str, offset: int = 0) -> bool:
        rate = getattr(self.config, what)
        return bool(rate) and self._draw(what, interval_key, offset) < rate

    def shuffle(self, items: list, *parts: object) -> list:
        order = sorted(range(len(items)), key=lambda i: self._draw("order", *parts, i))
        return [items[i] for i in order]
