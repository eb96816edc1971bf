"""What BI may read: published view name -> the mart it exposes.

Columns come from the mart's dbt documentation: a column is published only when it is
documented, and never when its ``meta`` marks it ``personal_data: true`` or ``published: false``
(pipeline bookkeeping such as load sequences). The descriptions
become PostgreSQL comments, so BI tools show them. A mart's ``meta: {bi_indexes: [[col, ...]]}``
lists the indexes its published copy gets, for the filters BI queries use every day (a unit's
dossiers in a month); each must name published columns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

#: In the name of every index publishing builds from ``bi_indexes`` (and may drop when undeclared).
BI_INDEX_MARK = "__bi_"


@dataclass(frozen=True)
class PublishedView:
    view: str
    mart: str
    description: str
    columns: tuple[tuple[str, str], ...]  # (name, description)
    #: Indexes on the published copy (validated.<mart>), each a tuple of its columns in order.
    indexes: tuple[tuple[str, ...], ...] = ()

    def index_name(self, columns: tuple[str, ...]) -> str:
        """A name PostgreSQL keeps whole (63 bytes), fixed by the mart and the columns in order."""
        digest = hashlib.sha256(",".join(columns).encode()).hexdigest()[:12]
        return f"{self.mart[:40]}{BI_INDEX_MARK}{digest}"


#: Published view -> dbt mart. Order matters only for readability of the publish log.
PUBLISHED_MARTS: dict[str, str] = {
    "dossiers": "fct_dossiers",
    "units": "dim_units",
    "unit_succession": "bridge_unit_succession",
    "dossier_periods_monthly": "fct_dossier_periods_monthly",
    "scorecards_monthly": "fct_scorecard_monthly",
    "scorecards_quarterly": "fct_scorecard_quarterly",
    "scorecards_yearly": "fct_scorecard_yearly",
    "scorecards_monthly_communes_2025": "fct_scorecard_monthly_communes_2025",
    "procedures": "dim_procedures",
    "procedures_monthly": "fct_procedures_monthly",
    "unit_procedures_monthly": "fct_unit_procedures_monthly",
    "ratings_monthly": "fct_ratings_monthly",
    "documents_monthly": "fct_documents_monthly",
    "official_scores_766": "fct_official_scores_766",
    "scorecard_766_reconciliation": "fct_scorecard_766_reconciliation",
}


class ContractError(RuntimeError):
    """The dbt manifest does not describe a mart that is meant to be published."""


def published_views(manifest_path: Path) -> list[PublishedView]:
    """Read the published views' columns and docs from the dbt manifest."""
    if not manifest_path.exists():
        raise ContractError(f"dbt manifest not found at {manifest_path}: run `motcua dbt-parse` first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    views = []
    for view, mart in PUBLISHED_MARTS.items():
        node = models.get(mart)
        if node is None:
            raise ContractError(f"mart {mart} (published as {view}) is not in the dbt project")
        columns = tuple(
            (name, col.get("description", ""))
            for name, col in node["columns"].items()
            if not (col.get("meta") or {}).get("personal_data") and (col.get("meta") or {}).get("published", True)
        )
        if not columns:
            raise ContractError(f"mart {mart} documents no columns; nothing could be published")
        meta = {**(node.get("meta") or {}), **(node.get("config", {}).get("meta") or {})}
        indexes = tuple(tuple(index) for index in meta.get("bi_indexes", []))
        names = {name for name, _ in columns}
        for index in indexes:
            if not index or not set(index) <= names:
                raise ContractError(f"mart {mart}: bi_indexes entry {list(index)} must name published columns")
        views.append(PublishedView(view, mart, node.get("description", "").strip(), columns, indexes))
    return views
