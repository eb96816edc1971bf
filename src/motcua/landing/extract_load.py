"""Extract-load jobs: pull one unit's changes for an interval into the raw layer."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta

import psycopg

from motcua.config import one_stop_feed_url, warehouse_url_for_tasks
from motcua.feeds.one_stop import OneStopClient
from motcua.landing.ledger import ONE_STOP_DOSSIERS, RawSource
from motcua.landing.loader import advance_watermark, load_batch

#: Records committed at the source shortly before an interval ended can show up late; each pull
#: starts this much earlier. Re-reading is harmless: loads are idempotent by (key, version).
OVERLAP = timedelta(hours=1)


def units_to_pull(day: date) -> list[str]:
    """Codes of the units whose one-stop system operates on ``day``, as the source lists them."""
    with OneStopClient(one_stop_feed_url()) as client:
        return [u["unit_code"] for u in client.units(day)]


def extract_load_dossiers(unit_code: str, start: datetime, end: datetime) -> dict:
    """Pull dossiers of ``unit_code`` changed in ``[start - OVERLAP, end)`` and land them."""
    since = start - OVERLAP
    with OneStopClient(one_stop_feed_url()) as client, psycopg.connect(warehouse_url_for_tasks()) as conn:
        result = load_batch(
            conn, ONE_STOP_DOSSIERS, unit_code, (since, end), client.dossiers(unit_code, since, end)
        )
        advance_watermark(conn, ONE_STOP_DOSSIERS, unit_code, end)
        conn.commit()
    summary = asdict(result)
    summary["batch_id"] = str(result.batch_id)
    summary["unit_code"] = unit_code
    return summary
