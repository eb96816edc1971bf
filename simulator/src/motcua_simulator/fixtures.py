"""Fixture mode: serve records from a folder of JSON files instead of generated data.

Layout (every file optional; see docs/simulator.md)::

    fixtures/
      units.json                 {"items": [UNIT, ...]} or [UNIT, ...]   (GET /v1/units)
      procedures.json            [PROCEDURE, ...]                         (GET /v1/procedures)
      dossiers/{unit_code}.json  [DOSSIER, ...]   any number of versions per key
      ratings/{unit_code}.json   [RATING, ...]
      documents/{unit_code}.json [DOCUMENT, ...]

Each file is a JSON list (or ``{"items": [...]}``) of records in the feed shapes. A pull of
``[updated_since, updated_until)`` serves, for each key, the highest version whose ``updated_at``
is before ``updated_until``, if that ``updated_at`` is at or after ``updated_since``: exactly the
generated feeds' semantics, so real exports can be replayed. Items that are not valid records
(not an object, no key, a non-integer version, an unparseable ``updated_at``) are served verbatim
in every pull of that unit and source, so tests can pin quarantine cases.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from pathlib import Path

from motcua_simulator.sources import UNIT_SOURCES, Entity, _parse_ts, record_key, validate


def _load(path: Path) -> list:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list or an object with 'items'")
    return data


class FixtureStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"fixtures folder {self.folder} does not exist")
        self._cache: dict[tuple[str, str | None], tuple[list[Entity], list]] = {}

    @cached_property
    def units(self) -> list[dict] | None:
        path = self.folder / "units.json"
        return _load(path) if path.exists() else None

    def unit_codes(self) -> set[str]:
        codes = {str(u.get("unit_code")) for u in self.units or [] if isinstance(u, dict)}
        for source in UNIT_SOURCES:
            if (self.folder / source).is_dir():
                codes |= {p.stem for p in (self.folder / source).glob("*.json")}
        return codes

    def units_on(self, day: date) -> list[dict]:
        if self.units is not None:
            return [u for u in self.units if isinstance(u, dict) and _valid_on(u, day)]
        return [
            {"unit_code": code, "name": code, "level": None, "parent_code": None} for code in sorted(self.unit_codes())
        ]

    def path(self, source: str, unit_code: str | None) -> Path:
        return self.folder / f"{source}.json" if unit_code is None else self.folder / source / f"{unit_code}.json"

    def entities(self, source: str, unit_code: str | None) -> tuple[list[Entity], list]:
        """(entities of valid records, invalid items served every time)."""
        cache_key = (source, unit_code)
        if cache_key in self._cache:
            return self._cache[cache_key]
        path = self.path(source, unit_code)
        items = _load(path) if path.exists() else []
        by_key: dict[str, dict[int, dict]] = {}
        invalid = []
        for item in items:
            if validate(source, item) is not None:
                invalid.append(item)
                continue
            by_key.setdefault(record_key(source, item), {})[item["version"]] = item
        entities = []
        for key, versions in by_key.items():
            ordered = sorted(versions.values(), key=lambda r: r["version"])
            stamps = [_parse_ts(r["updated_at"]) for r in ordered]

            def state(at, ordered=ordered, stamps=stamps):
                chosen = None
                for record, stamp in zip(ordered, stamps, strict=True):
                    if stamp <= at:
                        chosen = record
                return chosen

            entities.append(Entity(key, tuple(sorted(stamps)), state))
        self._cache[cache_key] = (entities, invalid)
        return entities, invalid


def _valid_on(unit: dict, day: date) -> bool:
    start, end = unit.get("valid_from"), unit.get("valid_to")
    return (not start or date.fromisoformat(start) <= day) and (not end or day < date.fromisoformat(end))
