"""Raise an alert: always logged and stored; posted to a webhook when one is configured.

Channels are configured from the environment: ``MOTCUA_ALERT_WEBHOOK_URL`` (JSON POST).
A channel that fails never hides the alert: it is stored first.
"""

from __future__ import annotations

import json
import logging
import os

import httpx

from motcua.warehouse.connect import connect

log = logging.getLogger(__name__)


def raise_alert(url: str, severity: str, source: str, message: str, details: dict | None = None) -> int:
    """Store the alert in ``ops.alerts`` and notify the channels; returns the alert id."""
    details = details or {}
    log.error("ALERT [%s] %s: %s", severity, source, message)
    with connect(url) as conn:
        row = conn.execute(
            "insert into ops.alerts (severity, source, message, details) values (%s, %s, %s, %s) returning alert_id",
            (severity, source, message, json.dumps(details, default=str)),
        ).fetchone()
    assert row is not None
    webhook = os.environ.get("MOTCUA_ALERT_WEBHOOK_URL")
    if webhook:
        try:
            httpx.post(
                webhook,
                json={
                    "alert_id": row[0],
                    "severity": severity,
                    "source": source,
                    "message": message,
                    "details": details,
                },
                timeout=10,
            ).raise_for_status()
        except httpx.HTTPError as err:
            log.warning("alert %s stored but the webhook failed: %s", row[0], err)
    return row[0]
