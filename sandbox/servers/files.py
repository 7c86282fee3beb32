"""The sandbox's object storage for Data Query results: files behind pre-signed URLs that expire.

Like S3, it accepts no other credential: a request that carries an `Authorization` header besides
the signature is refused (`400 InvalidArgument`), an expired URL answers `403 AccessDenied`
"Request has expired", and a URL whose signature does not match answers `403 SignatureDoesNotMatch`.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sandbox.servers.http import Delivery, Request, Response

_STAMP = "%Y%m%dT%H%M%SZ"


class ResultFiles:
    """Result files kept in `directory`, served at `base_url` (set once the file host is bound)."""

    def __init__(self, directory: Path, url_ttl: float) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.url_ttl = url_ttl
        self.base_url = ""
        self.requests = 0
        self._key = secrets.token_bytes(32)
        self._truncate_next: set[str] = set()
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        """Where the file `name` is kept."""
        return self.directory / name

    def presign(self, name: str, *, expired: bool = False) -> str:
        """A URL of `name` valid for `url_ttl` seconds from now (already expired when `expired`)."""
        ttl = max(1, int(self.url_ttl))
        issued = time.time() - (ttl + 1 if expired else 0)
        params = {"X-Amz-Date": time.strftime(_STAMP, time.gmtime(issued)), "X-Amz-Expires": str(ttl)}
        params["X-Amz-Signature"] = self._sign(name, params["X-Amz-Date"], params["X-Amz-Expires"])
        return f"{self.base_url}/results/{name}?{urlencode(params)}"

    def truncate_next_download(self, name: str) -> None:
        """Deliver the next download of `name` cut short (a seeded fault)."""
        with self._lock:
            self._truncate_next.add(name)

    def respond(self, request: Request) -> Response:
        """A GET of a pre-signed result URL."""
        with self._lock:
            self.requests += 1
        name = request.path.removeprefix("/results/")
        if request.method != "GET" or "/" in name or not self.path(name).is_file():
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if request.headers.get("Authorization"):
            return _s3_error(400, "InvalidArgument", "Only one auth mechanism allowed")
        date, expires = request.param("X-Amz-Date") or "", request.param("X-Amz-Expires") or ""
        signature = request.param("X-Amz-Signature") or ""
        if not hmac.compare_digest(signature, self._sign(name, date, expires)):
            return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        if time.time() > calendar.timegm(time.strptime(date, _STAMP)) + int(expires):
            return _s3_error(403, "AccessDenied", "Request has expired")
        with self._lock:
            truncate = name in self._truncate_next
            self._truncate_next.discard(name)
        return Response(
            200,
            file=self.path(name),
            headers=[("Content-Type", "application/octet-stream")],
            delivery=Delivery.TRUNCATE if truncate else Delivery.FULL,
        )

    def _sign(self, name: str, date: str, expires: str) -> str:
        return hmac.new(self._key, f"{name}\n{date}\n{expires}".encode(), hashlib.sha256).hexdigest()


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(status, body.encode(), [("Content-Type", "application/xml")])
