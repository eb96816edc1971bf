"""Expectation suites kept as reviewable JSON files in ``expectations/``.

A suite file names the relation it guards in ``meta.relation`` (``schema.table``) and lists
GX expectations by type and kwargs, in GX 1.x's own serialisation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


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
    return SuiteFile(path, data.get("name") or path.stem, schema, table, expectations)


def load_suites(directory: Path) -> list[SuiteFile]:
    """Every ``*.json`` suite in ``directory``, sorted by name."""
    return [load_suite_file(p) for p in sorted(directory.glob("*.json"))]
