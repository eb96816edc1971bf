"""Real alert receivers on 127.0.0.1 for the tests: an SMTP server (aiosmtpd) and an HTTP server
that keeps every JSON body POSTed to it. ``receivers()`` starts both and gives the Apprise URLs
that point at them."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """What reached the receivers: each email as (subject, text) and each webhook JSON body."""

    emails: list[tuple[str, str]] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.emails.clear()
        self.posts.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def receivers() -> Iterator[Received]:
    received = Received()

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            received.emails.append((str(message["subject"]), message.get_content()))
            return "250 OK"

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.posts.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    smtp_port = _free_port()
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    http = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    received.urls = [
        f"mailto://127.0.0.1:{smtp_port}?mode=insecure&from=motcua@tinh.gov.vn&to=truc-ban@tinh.gov.vn",
        f"json://127.0.0.1:{http.server_port}/alerts",
    ]
    try:
        yield received
    finally:
        http.shutdown()
        http.server_close()
        smtp.stop()
