"""Expectation suites kept as reviewable JSON files in ``expectations/``.

A suite file names the relation it guards in ``meta.relation`` (``schema.table``) and lists
GX expectations by type and kwargs, in GX 1.x's own serialisation.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

#: A kwarg written as "${NAME:-default}" takes its value from the environment (a number when it
#: parses as one), so thresholds are configurable without editing the reviewed suite file.
_PARAMETER = re.compile(r"^\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}$")


class SuiteFileError(ValueError):
    """An expectation suite file is malformed."""


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    name: str
    schema: str
    table: str
    expectations: list[dict]

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"


def load_suite_file(path: Path) -> SuiteFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise SuiteFileError(f"{path}: not valid JSON ({err})") from err
    relation = (data.get("meta") or {}).get("relation", "")
    if relation.count(".") != 1:
        raise SuiteFileError(f"{path}: meta.relation must be 'schema.table', got {relation!r}")
    expectations = data.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise SuiteFileError(f"{path}: a suite needs a non-empty 'expectations' list")
    for i, exp in enumerate(expectations):
        if not isinstance(exp, dict) or "type" not in exp or not isinstance(exp.get("kwargs", {}), dict):
            raise SuiteFileError(f"{path}: expectation #{i} needs 'type' and a 'kwargs' object")
    schema, table = relation.split(".")
    resolved = [
        {**exp, "kwargs": {k: _resolve(v, path) for k, v in exp.get("kwargs", {}).items()}} for exp in expectations
    ]
    return SuiteFile(path, data.get("name") or path.stem, schema, table, resolved)


def _resolve(value: object, path: Path) -> object:
    if not isinstance(value, str):
        return value
    match = _PARAMETER.match(value)
    if not match:
        return value
    name, default = match.groups()
    raw = os.environ.get(name, default)
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            continue
    if raw == "":
        raise SuiteFileError(f"{path}: {name} is empty and the suite gives no default")
    return raw


def load_suites(directory: Path) -> list[SuiteFile]:
    """Every ``*.json`` suite in ``directory``, sorted by name."""
    return [load_suite_file(p) for p in sorted(directory.glob("*.json"))]
