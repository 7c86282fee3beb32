"""What every sandbox API shares: routing, credential checks, fault injection and rate-limit reporting."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.servers.faults import Fault, FaultInjector, FaultProfile
from sandbox.servers.http import Delivery, Request, Response, logger
from sandbox.servers.store import WorldStore

Handler = Callable[[Request, re.Match[str]], Response]

_FAULT_STATUS = {
    Fault.TOO_MANY_REQUESTS: 429,
    Fault.TOO_MANY_REQUESTS_BARE: 429,
    Fault.SERVER_ERROR: 500,
    Fault.UNAVAILABLE: 503,
}


def same_secret(given: str | None, expected: str) -> bool:
    """Whether a credential a client sent equals the expected one (compared in constant time)."""
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Route:
    """An endpoint for paths matching `pattern`: a token endpoint or a data endpoint (maybe paging)."""

    method: str
    pattern: str
    handler: Handler
    token: bool = False
    expire_cursor: Callable[[Request, re.Match[str]], None] | None = None


class RateWindow:
    """Requests counted in fixed windows, for the rate-limit headers (faults, not this, answer 429)."""

    def __init__(self, limit: int, seconds: int) -> None:
        self.limit = limit
        self.seconds = seconds
        self._start = time.time()
        self._count = 0
        self._lock = threading.Lock()

    def hit(self) -> tuple[int, int, float]:
        """Count one request; returns the limit, the requests left and the epoch time the window resets."""
        now = time.time()
        with self._lock:
            if now - self._start >= self.seconds:
                self._start, self._count = now, 0
            self._count += 1
            return self.limit, max(self.limit - self._count, 0), self._start + self.seconds


class Service:
    """A sandbox API serving one system of a world; `base_url` is set once its server is bound."""

    system = ""
    bare_429 = False

    def __init__(self, store: WorldStore, faults: FaultProfile | None, stopping: threading.Event) -> None:
        self.store = store
        self.faults = FaultInjector(faults, self.system, bare_429=self.bare_429)
        self.stopping = stopping
        self.base_url = ""
        self.routes: list[Route] = []
        self._requests = 0
        self._lock = threading.Lock()

    @property
    def requests(self) -> int:
        """The number of HTTP requests served so far."""
        return self._requests

    def load(self, store: WorldStore) -> None:
        """Serve another world from now on."""
        self.store = store

    def respond(self, request: Request) -> Response:
        """The response to one request, with the rate-limit headers."""
        with self._lock:
            self._requests += 1
        try:
            response = self._respond(request)
        except Exception:
            logger.exception("%s sandbox failed on %s %s", self.system, request.method, request.path)
            response = self.error(500)
        response.headers.extend(self.limit_headers(response.status))
        return response

    def authenticate(self, request: Request) -> str | None:
        """The credential a data request carries, or None when it is missing or invalid."""
        raise NotImplementedError

    def revoke(self, credential: str) -> bool:
        """Invalidate an expirable credential; False when the system's credentials do not expire."""
        return False

    def admit(self) -> Response | None:
        """A refusal of an authenticated data request before it is served, or None to serve it."""
        return None

    def error(self, status: int) -> Response:
        """The system's error response for a bare HTTP status (401, 404, 429, 500, 503)."""
        raise NotImplementedError

    def limit_headers(self, status: int) -> list[tuple[str, str]]:
        """The rate-limit headers of a response with `status`."""
        raise NotImplementedError

    def _respond(self, request: Request) -> Response:
        for candidate in self.routes:
            match = re.fullmatch(candidate.pattern, request.path)
            if match and candidate.method == request.method:
                return self._dispatch(candidate, match, request)
        return self.error(404)

    def _dispatch(self, endpoint: Route, match: re.Match[str], request: Request) -> Response:
        credential = None
        if not endpoint.token:
            credential = self.authenticate(request)
            if credential is None:
                return self.error(401)
            refusal = self.admit()
            if refusal is not None:
                return refusal
        fault = self.faults.draw(token=endpoint.token, continuation=endpoint.expire_cursor is not None)
        if fault in _FAULT_STATUS:
            return self._fault_response(fault)
        if fault is Fault.DROP:
            return Response(0, delivery=Delivery.DROP)
        if fault is Fault.SLOW:
            self.stopping.wait(self.faults.profile.slow_seconds)
        if fault is Fault.EXPIRE_TOKEN and credential is not None and self.revoke(credential):
            return self.error(401)
        if fault is Fault.EXPIRE_LOCATOR and endpoint.expire_cursor is not None:
            endpoint.expire_cursor(request, match)
        response = endpoint.handler(request, match)
        if fault is Fault.TRUNCATE:
            response.delivery = Delivery.TRUNCATE
        return response

    def _fault_response(self, fault: Fault) -> Response:
        response = self.error(_FAULT_STATUS[fault])
        if fault is Fault.TOO_MANY_REQUESTS:
            response.headers.append(("Retry-After", str(self.faults.profile.retry_after)))
        return response
