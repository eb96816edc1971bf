"""Raise an alert: stored in ``ops.alerts`` first, then sent to every configured channel.

Channels are Apprise URLs from the environment (``motcua.config.alert_channel_urls``): email over
SMTP, Slack, Microsoft Teams, Google Chat, a generic JSON webhook. A channel that fails never
hides the alert: it is stored before anything is sent, and each channel's outcome is recorded.

An alert carries a de-duplication key naming the failure (the DAG run and the task or suite): a
retry, or a re-run of the same task, raises the same key and nothing new is stored or sent. An
alert also names its scope, the DAG whose next good run resolves it; that run sends one
recovery message for all of them (:func:`resolve_alerts`).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from motcua.alerting import messages
from motcua.alerting.messages import AlertMessage
from motcua.config import alert_channel_urls
from motcua.warehouse.connect import connect

log = logging.getLogger(__name__)


def _channel_name(url: str) -> str:
    """Scheme and host of an Apprise URL: enough to tell channels apart, never a credential."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}"


def notify(severity: str, message: AlertMessage) -> dict[str, bool]:
    """Send ``message`` to every configured channel; returns whether each accepted it."""
    import apprise  # imported here: only a task that alerts needs it

    kind = {
        "critical": apprise.NotifyType.FAILURE,
        "error": apprise.NotifyType.FAILURE,
        "warning": apprise.NotifyType.WARNING,
        "recovery": apprise.NotifyType.SUCCESS,
    }.get(severity, apprise.NotifyType.INFO)
    delivered = {}
    for url in alert_channel_urls():
        channel = apprise.Apprise()
        if not channel.add(url):
            log.error("alert channel %s is not a valid Apprise URL; skipped", _channel_name(url))
            delivered[_channel_name(url)] = False
            continue
        delivered[_channel_name(url)] = bool(
            channel.notify(
                title=message.title, body=message.body, notify_type=kind, body_format=apprise.NotifyFormat.TEXT
            )
        )
        if not delivered[_channel_name(url)]:
            log.warning("alert channel %s did not accept the message", _channel_name(url))
    return delivered


def raise_alert(
    url: str,
    severity: str,
    source: str,
    message: str | AlertMessage,
    details: dict | None = None,
    *,
    dedup_key: str | None = None,
    scope: str | None = None,
) -> int | None:
    """Store the alert in ``ops.alerts`` and notify the channels; returns the alert id, or None
    when the same failure (``dedup_key``) was already raised."""
    text = message if isinstance(message, AlertMessage) else AlertMessage(title=message, body=message)
    details = details or {}
    with connect(url) as conn:
        row = conn.execute(
            """insert into ops.alerts (severity, source, message, details, dedup_key, scope)
               values (%s, %s, %s, %s, %s, %s)
               on conflict (dedup_key) do nothing
               returning alert_id""",
            (severity, source, text.title, json.dumps({**details, "body": text.body}, default=str), dedup_key, scope),
        ).fetchone()
    if row is None:
        log.info("alert %s was already raised; not sent again", dedup_key)
        return None
    log.error("ALERT [%s] %s: %s", severity, source, text.title)
    delivered = notify(severity, text)
    with connect(url) as conn:
        conn.execute("update ops.alerts set delivered = %s where alert_id = %s", (json.dumps(delivered), row[0]))
    return row[0]


def resolve_alerts(url: str, scope: str, run_id: str, message: AlertMessage | None = None) -> int | None:
    """A good run of ``scope`` closes its open alerts and sends one recovery message naming them
    (or ``message``, when the caller can say more). Returns the recovery alert's id, or None when
    nothing was open."""
    with connect(url) as conn:
        # A feed this run blocked stays open: the run published the other feeds' figures, not its.
        resolved = conn.execute(
            """update ops.alerts set resolved_at = now()
               where scope = %s and resolved_at is null and severity <> 'recovery'
                 and not (source = 'feed_checks' and details->>'run_id' is not distinct from %s)
               returning alert_id, message""",
            (scope, run_id),
        ).fetchall()
    if not resolved:
        return None
    return raise_alert(
        url,
        "recovery",
        f"recovery:{scope}",
        message or messages.recovered(scope, run_id, [f"#{alert_id} {text}" for alert_id, text in sorted(resolved)]),
        {"run_id": run_id, "resolved_alert_ids": sorted(alert_id for alert_id, _ in resolved)},
        dedup_key=f"recovery:{scope}:{run_id}",
    )
