"""Incremental dossier facts pick up batches by commit order, not by when a batch started.

A batch that starts before an incremental build and commits while the build runs carries an
extraction time older than what the build saw. Before the fix, every later incremental build
skipped it (the hourly spreadsheet DAG does this in normal running); only a full refresh
recovered its dossiers.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime

import psycopg

from motcua.cli import run_dbt
from motcua.landing.items import FeedItem
from motcua.landing.ledger import seal_loaded_batches
from motcua.landing.loader import load_batch
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS

INTERVAL = (datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 4, tzinfo=UTC))
MODELS = ("fct_dossiers", "fct_dossier_status_events")


def _dossiers(prefix: str, count: int) -> list[FeedItem]:
    items = []
    for i in range(count):
        record = {
            "dossier_code": f"{prefix}-250303-{i:04d}",
            "version": 1,
            "updated_at": "2025-03-03T09:00:00+07:00",
            "unit_code": "430",
            "unit_level": "district",
            "procedure_code": "1.001193",
            "status": 2,
            "channel": 1,
            "received_at": "2025-03-03T08:00:00+07:00",
            "appointment_due_at": "2025-03-10T17:00:00+07:00",
            "statutory_working_days": 5,
            "status_history": [{"status": 2, "at": "2025-03-03T08:00:00+07:00"}],
        }
        items.append(FeedItem(json.dumps(record), record))
    return items


def test_a_batch_committing_during_a_build_reaches_the_next_incremental_build(warehouse, reset_warehouse):
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    reset_warehouse()
    run_dbt("seed", "--target-path", target)
    with psycopg.connect(warehouse.url) as slow, psycopg.connect(warehouse.url) as quick:
        # The slow batch starts first, so its extraction time is the older one; like extract-load
        # (which reads the watermark first) it runs inside a transaction that stays open ...
        slow.execute("select 1")
        load_batch(slow, ONE_STOP_DOSSIERS, "430", INTERVAL, _dossiers("SLOW", 41))
        # ... a quicker batch starts after it and commits first ...
        load_batch(quick, ONE_STOP_DOSSIERS, "430", INTERVAL, _dossiers("QUICK", 5))
        quick.commit()
        seal_loaded_batches(quick)
        run_dbt("run", "--select", *(f"+{m}" for m in MODELS), "--full-refresh", "--target-path", target)
        # ... and the slow one commits while that build runs.
        slow.commit()
        seal_loaded_batches(slow)
    run_dbt("run", "--select", *(f"+{m}" for m in MODELS), "--target-path", target)
    with psycopg.connect(warehouse.url) as conn:
        built = {
            model: {code[:4] for (code,) in conn.execute(f"select dossier_code from audit.{model}")} for model in MODELS
        }
        counts = dict(
            conn.execute("select left(dossier_code, 4), count(*) from audit.fct_dossiers group by 1").fetchall()
        )
    reset_warehouse()  # later modules start from their own data
    assert counts == {"SLOW": 41, "QUIC": 5}
    assert all(prefixes == {"SLOW", "QUIC"} for prefixes in built.values()), built
