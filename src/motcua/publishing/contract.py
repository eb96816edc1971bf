"""What BI may read, declared once per mart in its dbt YAML (``config.meta.publish``).

A declaration names the published view, the Great Expectations suite that must pass before the
mart is published (``expectations/<suite>.json``), the grain (one row per these columns; dbt's
uniqueness test on exactly them owns the rule), and the columns alerts quote to say which units
and periods a failure touches. Publishing, validation and the docs all read that one
declaration, through :func:`published_views`, and :func:`check_release_contract` refuses a
declaration that names a missing suite, a grain dbt does not test, or an undocumented column, and
a suite that guards no mart.

Columns come from the mart's dbt documentation: a column is published only when it is
documented, and never when its ``meta`` marks it ``personal_data: true`` or ``published: false``
(pipeline bookkeeping such as load sequences). The descriptions become PostgreSQL comments, so
BI tools show them. A mart's ``meta: {bi_indexes: [[col, ...]]}`` lists the indexes its published
copy gets, for the filters BI queries use every day (a unit's dossiers in a month); each must name
published columns. ``meta.publish.holdback`` (``unit`` or ``rollup``) lets a release hold back the
rows of a few failing units (``rollup``: with the roll-ups of the units above them) while the other
units publish; it needs a ``unit_column``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from motcua.quality.suites import SuiteFile

#: In the name of every index publishing builds from ``bi_indexes`` (and may drop when undeclared).
BI_INDEX_MARK = "__bi_"
#: The schema dbt builds marts into, and the one validation reads.
AUDIT_SCHEMA = "audit"
#: ``meta.publish.holdback``: a unit's rows only, or also the roll-ups of the units above it.
HOLDBACK_KINDS = ("unit", "rollup")


@dataclass(frozen=True)
class ChangeScope:
    """How a release finds what an incremental mart's builds changed since the last publish:
    rows whose ``column`` (a growing load sequence) is above the last published value, or that
    match ``also`` (rows rewritten without a newer value); publishing replaces them by ``key``
    (every row of the mart sharing a changed row's key)."""

    column: str
    key: str
    also: str | None = None

    def predicate(self, above: int) -> str:
        """SQL selecting the changed rows (``above`` is an integer, written as a literal)."""
        changed = f"{self.column} > {int(above)}"
        return f"({changed} or {self.also})" if self.also else f"({changed})"


@dataclass(frozen=True)
class PublishedView:
    view: str
    mart: str
    description: str
    columns: tuple[tuple[str, str], ...]  # (name, description), the published ones
    #: Indexes on the published copy (validated.<mart>), each a tuple of its columns in order.
    indexes: tuple[tuple[str, ...], ...] = ()
    suite: str = ""
    grain: tuple[str, ...] = ()
    #: The columns that say which unit and which period a row is about (alerts name them).
    unit_column: str | None = None
    period_column: str | None = None
    #: Every column the mart documents, published or not (bookkeeping, personal data included).
    documented: tuple[str, ...] = ()
    #: Incremental marts: how a release finds and replaces only what changed (else: the whole mart).
    changes: ChangeScope | None = None
    #: How a unit's failing rows are held back while the other units publish (``quality.gate``):
    #: ``unit`` holds the unit's rows, ``rollup`` also the roll-up rows of the units above it
    #: (their figures include the held unit's); None: any failure blocks the mart's release.
    holdback: str | None = None

    def held_predicate(self, held: list[str] | tuple[str, ...], alias: str | None = None) -> str | None:
        """SQL true for the rows of the ``held`` unit codes and false for every other row, a row
        without a unit included (None when nothing is held); ``alias`` qualifies the column."""
        if not held or not self.unit_column:
            return None
        quoted = ", ".join("'" + code.replace("'", "''") + "'" for code in sorted(held))
        column = f'{alias}."{self.unit_column}"' if alias else f'"{self.unit_column}"'
        return f"coalesce({column} in ({quoted}), false)"

    @property
    def relation(self) -> str:
        """What validation reads: the mart as dbt built it."""
        return f"{AUDIT_SCHEMA}.{self.mart}"

    def index_name(self, columns: tuple[str, ...]) -> str:
        """A name PostgreSQL keeps whole (63 bytes), fixed by the mart and the columns in order."""
        digest = hashlib.sha256(",".join(columns).encode()).hexdigest()[:12]
        return f"{self.mart[:40]}{BI_INDEX_MARK}{digest}"


class ContractError(RuntimeError):
    """A mart's publish declaration, its documentation and the suites do not agree."""


def _model_meta(node: Mapping) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _load_manifest(manifest_path: Path) -> dict:
    if not manifest_path.exists():
        raise ContractError(f"dbt manifest not found at {manifest_path}: run `motcua dbt-parse` first")
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def published_views(manifest_path: Path) -> list[PublishedView]:
    """Every mart that declares ``meta.publish``, with its columns and docs from the dbt manifest."""
    manifest = _load_manifest(manifest_path)
    views = []
    for node in sorted(manifest["nodes"].values(), key=lambda n: n.get("name", "")):
        if node["resource_type"] != "model":
            continue
        meta = _model_meta(node)
        declared = meta.get("publish")
        if not declared:
            continue
        mart = node["name"]
        if not isinstance(declared, dict) or not declared.get("view") or not declared.get("suite"):
            raise ContractError(f"mart {mart}: meta.publish needs at least 'view' and 'suite', got {declared!r}")
        columns = tuple(
            (name, col.get("description", ""))
            for name, col in node["columns"].items()
            if not (col.get("meta") or {}).get("personal_data") and (col.get("meta") or {}).get("published", True)
        )
        if not columns:
            raise ContractError(f"mart {mart} documents no columns; nothing could be published")
        indexes = tuple(tuple(index) for index in meta.get("bi_indexes", []))
        names = {name for name, _ in columns}
        for index in indexes:
            if not index or not set(index) <= names:
                raise ContractError(f"mart {mart}: bi_indexes entry {list(index)} must name published columns")
        changes = declared.get("changes")
        if changes is not None and not (isinstance(changes, dict) and changes.get("column") and changes.get("key")):
            raise ContractError(f"mart {mart}: meta.publish.changes needs 'column' and 'key', got {changes!r}")
        holdback = declared.get("holdback")
        if holdback is not None and holdback not in HOLDBACK_KINDS:
            raise ContractError(f"mart {mart}: meta.publish.holdback must be one of {HOLDBACK_KINDS}, got {holdback!r}")
        views.append(
            PublishedView(
                view=declared["view"],
                mart=mart,
                description=node.get("description", "").strip(),
                columns=columns,
                indexes=indexes,
                suite=declared["suite"],
                grain=tuple(declared.get("grain") or ()),
                unit_column=declared.get("unit_column"),
                period_column=declared.get("period_column"),
                documented=tuple(node["columns"]),
                changes=ChangeScope(changes["column"], changes["key"], changes.get("also")) if changes else None,
                holdback=holdback,
            )
        )
    if not views:
        raise ContractError(f"no mart in {manifest_path} declares meta.publish: nothing would be published")
    duplicates = sorted({v.view for v in views if [w.view for w in views].count(v.view) > 1})
    if duplicates:
        raise ContractError(f"published view names declared by more than one mart: {', '.join(duplicates)}")
    return views


def _uniqueness_tests(manifest: dict) -> dict[str, set[tuple[str, ...]]]:
    """Per model, the column sets a dbt test keeps unique (``unique`` or ``unique_combination_of_columns``)."""
    tested: dict[str, set[tuple[str, ...]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        name = node["test_metadata"]["name"]
        kwargs = node["test_metadata"].get("kwargs") or {}
        if name == "unique":
            columns: tuple[str, ...] = (kwargs.get("column_name"),)
        elif name == "unique_combination_of_columns":
            columns = tuple(kwargs.get("columns") or ())
        else:
            continue
        model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        tested.setdefault(model, set()).add(tuple(sorted(columns)))
    return tested


def _model_contract_problems(manifest: dict, marts: set[str]) -> list[str]:
    """A published mart's columns and types are a dbt model contract (``contract.enforced`` and a
    ``data_type`` on every column): a renamed, dropped or retyped column fails its build instead of
    reaching BI."""
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["name"] not in marts:
            continue
        if not ((node.get("config") or {}).get("contract") or {}).get("enforced"):
            problems.append(f"{node['name']}: a published mart needs config.contract.enforced: true")
        untyped = sorted(name for name, col in node["columns"].items() if not col.get("data_type"))
        if untyped:
            problems.append(f"{node['name']}: contracted columns without a data_type: {', '.join(untyped)}")
    return problems


def check_release_contract(manifest_path: Path, suites: Mapping[str, SuiteFile]) -> list[PublishedView]:
    """The published views, once their declarations, the dbt tests and the suites agree.

    Raises :class:`ContractError` listing every disagreement: a declared suite with no file, a
    suite file no mart uses, a grain no dbt uniqueness test keeps, an alert column the mart does
    not document, a published mart without an enforced dbt model contract or with a column
    without a data type.
    """
    views = published_views(manifest_path)
    manifest = _load_manifest(manifest_path)
    unique = _uniqueness_tests(manifest)
    problems = _model_contract_problems(manifest, {v.mart for v in views})
    for v in views:
        if v.suite not in suites:
            problems.append(f"{v.mart}: its suite {v.suite!r} has no file expectations/{v.suite}.json")
        if not v.grain:
            problems.append(f"{v.mart}: meta.publish declares no grain")
        elif tuple(sorted(v.grain)) not in unique.get(v.mart, set()):
            problems.append(
                f"{v.mart}: no dbt uniqueness test keeps its declared grain {list(v.grain)} "
                "(add unique or unique_combination_of_columns on exactly those columns)"
            )
        for role, column in (("grain", c) for c in v.grain):
            if column not in v.documented:
                problems.append(f"{v.mart}: {role} column {column} is not documented")
        for role, column in (("unit_column", v.unit_column), ("period_column", v.period_column)):
            if column and column not in {name for name, _ in v.columns}:
                problems.append(f"{v.mart}: {role} {column} is not a published column")
        if v.holdback and not v.unit_column:
            problems.append(f"{v.mart}: meta.publish.holdback needs a unit_column (the rows it holds back)")
        if v.changes:
            for role, column in (("changes.column", v.changes.column), ("changes.key", v.changes.key)):
                if column not in v.documented:
                    problems.append(f"{v.mart}: {role} {column} is not documented")
            if v.changes.key not in {name for name, _ in v.columns}:
                problems.append(f"{v.mart}: changes.key {v.changes.key} must be published (publishing replaces by it)")
    unused = sorted(set(suites) - {v.suite for v in views})
    problems += [f"expectations/{name}.json guards no published mart (no meta.publish names it)" for name in unused]
    if problems:
        raise ContractError("the release contract is broken:\n  " + "\n  ".join(problems))
    return views


def undocumented_columns(actual: list[str], view: PublishedView) -> list[str]:
    """The columns dbt built into the mart that its YAML does not document (they would silently go
    unpublished, or a renamed column would vanish from BI)."""
    return [name for name in actual if name not in view.documented]
