"""Ground truth (dữ liệu chuẩn đối chiếu): what the simulator served, for reconciliation.

Every page the simulator answers is recorded here. For each source and unit, a correct
extractor must end up holding every good record's latest served version exactly once (the raw
layer keeps every (key, version); its latest per key must equal this), and must have
quarantined every malformed item, identified by ``malformed_id`` (a hash of its canonical
JSON text) or by that text itself.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime

from motcua_simulator.sources import FIELD_ALIASES, _parse_ts, record_key, validate


def canonical_text(item: object) -> str:
    """The item's JSON text as Motcua's extractor keeps it (``sort_keys`` for objects)."""
    return json.dumps(item, ensure_ascii=False, sort_keys=isinstance(item, dict))


def malformed_id(item: object) -> str:
    return hashlib.sha256(canonical_text(item).encode()).hexdigest()[:16]


@dataclass
class _Good:
    versions: dict[int, tuple[datetime, dict]] = field(default_factory=dict)


class GroundTruth:
    """Thread-safe log of served records. ``app.state.truth`` of the simulator app."""

    def __init__(self, known_fields: dict[str, set[str]] | None = None) -> None:
        self._lock = threading.Lock()
        self._good: dict[tuple[str, str | None], dict[str, _Good]] = {}
        self._bad: dict[tuple[str, str | None], dict[str, dict]] = {}
        self._known = known_fields or {}
        self.pages_served: dict[str, int] = {}

    def learn_fields(self, source: str, names: set[str]) -> None:
        """Fields of the contract for ``source``; others on a good record are reported as drift."""
        self._known.setdefault(source, set()).update(names)

    def record_page(
        self, source: str, unit_code: str | None, items: list, *, served_until: datetime | None = None
    ) -> None:
        with self._lock:
            self.pages_served[source] = self.pages_served.get(source, 0) + 1
            good = self._good.setdefault((source, unit_code), {})
            bad = self._bad.setdefault((source, unit_code), {})
            for item in items:
                reason = validate(source, item)
                if reason is not None:
                    ident = malformed_id(item)
                    entry = bad.setdefault(
                        ident,
                        {
                            "malformed_id": ident,
                            "reason": reason,
                            "raw_text": canonical_text(item),
                            "times_served": 0,
                            "first_served_until": served_until.isoformat() if served_until else None,
                        },
                    )
                    entry["times_served"] += 1
                    continue
                key = record_key(source, item)
                updated = _parse_ts(item["updated_at"])
                assert updated is not None
                good.setdefault(key, _Good()).versions.setdefault(item["version"], (updated, item))

    def records(self, source: str, unit_code: str | None = None, as_of: datetime | None = None) -> dict[str, dict]:
        """key -> the latest served version of every good record (updated before ``as_of``), over
        every unit's feed unless ``unit_code`` names one."""
        out: dict[str, dict] = {}
        with self._lock:
            for (src, unit), by_key in self._good.items():
                if src != source or (unit_code is not None and unit != unit_code):
                    continue
                for key, good in by_key.items():
                    candidates = [v for v, (at, _) in good.versions.items() if as_of is None or at < as_of]
                    # A dossier handed over at the 2025 reform was served by two units' feeds.
                    if candidates and (key not in out or max(candidates) > out[key]["version"]):
                        out[key] = good.versions[max(candidates)][1]
        return out

    def malformed(self, source: str, unit_code: str | None = None, as_of: datetime | None = None) -> list[dict]:
        out = []
        with self._lock:
            for (src, unit), by_id in self._bad.items():
                if src != source or (unit_code is not None and unit != unit_code):
                    continue
                for entry in by_id.values():
                    first = entry["first_served_until"]
                    if as_of is None or first is None or datetime.fromisoformat(first) <= as_of:
                        out.append({**entry, "unit_code": unit})
        return sorted(out, key=lambda e: e["malformed_id"])

    def drift_of(self, source: str, record: dict) -> list[str]:
        tags = [
            f"renamed:{canonical}->{alias}"
            for alias, canonical in FIELD_ALIASES.get(source, {}).items()
            if alias in record
        ]
        known = self._known.get(source)
        if known:
            aliases = set(FIELD_ALIASES.get(source, {}))
            tags += [f"added:{name}" for name in sorted(set(record) - known - aliases)]
        return tags

    def report(self, source: str, unit_code: str | None = None, as_of: datetime | None = None) -> dict:
        """The JSON body of ``GET /v1/_truth/{source}``."""
        records = self.records(source, unit_code, as_of)
        return {
            "source": source,
            "unit_code": unit_code,
            "as_of": as_of.isoformat() if as_of else None,
            "records": [
                {
                    "key": key,
                    "version": rec["version"],
                    "updated_at": rec["updated_at"],
                    "drift": self.drift_of(source, rec),
                    "record": rec,
                }
                for key, rec in sorted(records.items())
            ],
            "malformed": self.malformed(source, unit_code, as_of),
        }

    def clear(self) -> None:
        with self._lock:
            self._good.clear()
            self._bad.clear()
            self.pages_served.clear()
