"""Expectation suites kept as reviewable JSON files in ``expectations/``.

A suite file lists GX expectations by type and kwargs, in GX 1.x's own serialisation. It names no
table: the marts it guards say so in their dbt YAML (``meta.publish.suite``), so one file serves
every mart that differs only by table (the monthly, quarterly and yearly scorecards).

An ``unexpected_rows_query`` reads the rows under validation as ``{batch}`` (GX's placeholder: the
changed rows, or the whole mart) and may read the whole mart it guards as ``{table}``, for checks
that compare the changed rows with the mart's history (a unit's volume against its previous days).
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


QUERY = "unexpected_rows_query"
#: In a row query, the whole mart the suite guards (``{batch}`` is GX's: the rows validated).
TABLE = "{table}"


class SuiteFileError(ValueError):
    """An expectation suite file is malformed."""


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    name: str
    description: str
    expectations: list[dict]

    def expectations_for(self, relation: str) -> list[dict]:
        """The expectations with ``{table}`` in their row queries naming ``relation`` (quoted)."""
        return [
            {**exp, "kwargs": {**exp["kwargs"], QUERY: exp["kwargs"][QUERY].replace(TABLE, relation)}}
            if isinstance(exp["kwargs"].get(QUERY), str)
            else exp
            for exp in self.expectations
        ]


def load_suite_file(path: Path) -> SuiteFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise SuiteFileError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise SuiteFileError(f"{path}: a suite is a JSON object with 'name' and 'expectations'")
    if "relation" in (data.get("meta") or {}):
        raise SuiteFileError(
            f"{path}: meta.relation is no longer read; the marts a suite guards name it in their dbt YAML "
            "(meta.publish.suite)"
        )
    expectations = data.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise SuiteFileError(f"{path}: a suite needs a non-empty 'expectations' list")
    for i, exp in enumerate(expectations):
        if not isinstance(exp, dict) or "type" not in exp or not isinstance(exp.get("kwargs", {}), dict):
            raise SuiteFileError(f"{path}: expectation #{i} needs 'type' and a 'kwargs' object")
    resolved = [
        {**exp, "kwargs": {k: _resolve(v, path) for k, v in exp.get("kwargs", {}).items()}} for exp in expectations
    ]
    name = data.get("name") or path.stem
    if name != path.stem:
        raise SuiteFileError(f"{path}: the suite is named {name!r}; name it after its file ({path.stem!r})")
    return SuiteFile(path, name, (data.get("meta") or {}).get("description", ""), resolved)


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


def load_suites(directory: Path) -> dict[str, SuiteFile]:
    """Every ``*.json`` suite in ``directory``, by name."""
    return {p.stem: load_suite_file(p) for p in sorted(directory.glob("*.json"))}
