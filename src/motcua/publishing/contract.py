"""What BI may read: published view name -> the mart it exposes.

Columns come from the mart's dbt documentation: a column is published only when it is
documented, and never when its ``meta`` marks it ``personal_data: true`` or ``published: false``
(pipeline bookkeeping such as load sequences). The descriptions
become PostgreSQL comments, so BI tools show them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PublishedView:
    view: str
    mart: str
    description: str
    columns: tuple[tuple[str, str], ...]  # (name, description)


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
        views.append(PublishedView(view, mart, node.get("description", "").strip(), columns))
    return views
