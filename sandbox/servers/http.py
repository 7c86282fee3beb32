"""The HTTP transport of the sandbox servers: a threaded stdlib server, requests, responses and delivery."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("sandbox.servers")
_CHUNK = 1 << 16


class Delivery(Enum):
    """How a response reaches the client: whole, cut in half, or not at all (connection dropped)."""

    FULL = "full"
    TRUNCATE = "truncate"
    DROP = "drop"


@dataclass
class Request:
    """One HTTP request as the services see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def param(self, name: str) -> str | None:
        """The first value of query parameter `name`."""
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The body read as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """The body read as an `application/x-www-form-urlencoded` form."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def bearer(self) -> str | None:
        """The token of an `Authorization: Bearer …` header."""
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()


@dataclass
class Response:
    """One HTTP response, with how to deliver it; a `file` is sent in chunks in place of `body`."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delivery: Delivery = Delivery.FULL
    file: Path | None = None


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    """A JSON response."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json; charset=utf-8"), *(headers or [])])


Respond = Callable[[Request], Response]


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP(S) server answering each request with `respond`; stopping closes open connections."""

    daemon_threads = True

    def __init__(self, host: str, port: int, respond: Respond, tls: ssl.SSLContext | None = None) -> None:
        self.respond = respond
        self.tls = tls
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        """The scheme, host and port clients reach this server at."""
        host, port = self.server_address[:2]
        authority = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
        return f"{'https' if self.tls else 'http'}://{authority}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox {self.base_url}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close every open connection and release the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve one connection (after the TLS handshake, in its own thread)."""
        request.settimeout(_Handler.timeout)
        connection = self.tls.wrap_socket(request, server_side=True) if self.tls else request
        with self._open_lock:
            self._open.add(connection)
        try:
            super().finish_request(connection, client_address)
        finally:
            with self._open_lock:
                self._open.discard(connection)
            if connection is not request:
                connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log unexpected errors; a client that went away is not one."""
        if not isinstance(sys.exc_info()[1], OSError):
            logger.exception("sandbox server error serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "lnr-sandbox/1"
    timeout = 30
    server: SandboxHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.server.base_url, *args)

    def _serve(self) -> None:
        url = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(
            self.command, url.path, parse_qs(url.query, keep_blank_values=True), self.headers, body
        )
        self._send(self.server.respond(request))

    def _send(self, response: Response) -> None:
        if response.delivery is Delivery.DROP:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        size = response.file.stat().st_size if response.file else len(response.body)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        length = size // 2 if response.delivery is Delivery.TRUNCATE else size
        if response.file:
            with response.file.open("rb") as handle:
                while length > 0 and (chunk := handle.read(min(length, _CHUNK))):
                    self.wfile.write(chunk)
                    length -= len(chunk)
        else:
            self.wfile.write(response.body[:length])
        if response.delivery is Delivery.TRUNCATE:
            self.close_connection = True
