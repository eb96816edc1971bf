"""BI tools on the published schema (Apache Superset)."""
