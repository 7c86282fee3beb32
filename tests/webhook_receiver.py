"""A real loopback HTTP server for tests that receives incoming-webhook posts, as Slack's would."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WEBHOOK_PATH = "/services/T000/B000/s3cr3t-webhook-token"


@dataclass
class Receiver:
    """What the server received, and the status it answers with (one per request, the last one repeated)."""

    port: int
    answers: list[int] = field(default_factory=lambda: [200])
    posts: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    @property
    def url(self) -> str:
        """The webhook URL, token included."""
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"


@contextlib.contextmanager
def serve_webhook(answers: list[int] | None = None) -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body posted to WEBHOOK_PATH."""
    receiver = Receiver(port=0, answers=list(answers or [200]))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver.answers[min(receiver.requests, len(receiver.answers) - 1)]
            receiver.requests += 1
            if self.path != WEBHOOK_PATH:
                status = 404
            elif status == 200:
                receiver.posts.append({"content_type": self.headers.get("Content-Type"), "json": json.loads(body)})
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"no")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
