"""Server-side state that expires: bearer tokens and the cursors of paged query results."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class TokenStore:
    """Bearer tokens a service has issued, each valid until it expires (after `ttl` seconds of `clock`) or is
    revoked."""

    def __init__(self, ttl: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, token: str) -> str:
        """Make `token` valid from now on; returns it."""
        now = self._clock()
        with self._lock:
            self._expiry = {t: at for t, at in self._expiry.items() if at > now}
            self._expiry[token] = now + self.ttl if self.ttl is not None else float("inf")
        return token

    def valid(self, token: str | None) -> bool:
        """Whether `token` was issued, has not expired and was not revoked."""
        with self._lock:
            return token is not None and self._expiry.get(token, 0.0) > self._clock()

    def revoke(self, token: str) -> None:
        """Make `token` invalid."""
        with self._lock:
            self._expiry.pop(token, None)


@dataclass
class ResultSet:
    """The records one query matched, paged `batch` at a time; `context` is what renders them."""

    records: list[dict[str, Any]]
    batch: int
    context: Any
    cursor: str | None = None


class CursorStore:
    """Query results kept for paging with locators `<cursor>-<offset>`, forgotten after `ttl` idle seconds of
    `clock`."""

    def __init__(self, ttl: float, new_cursor: Callable[[], str], clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._new_cursor = new_cursor
        self._results: dict[str, tuple[ResultSet, float]] = {}
        self._lock = threading.Lock()

    def page(self, result: ResultSet, offset: int) -> tuple[list[dict[str, Any]], str | None]:
        """The records of the page at `offset` and the locator of the next page (None on the last)."""
        end = offset + result.batch
        if end >= len(result.records):
            return result.records[offset:], None
        now = self._clock()
        with self._lock:
            if result.cursor is None:
                self._results = {c: (r, at) for c, (r, at) in self._results.items() if now - at <= self.ttl}
                result.cursor = self._new_cursor()
            self._results[result.cursor] = (result, now)
        return result.records[offset:end], f"{result.cursor}-{end}"

    def resume(self, locator: str) -> tuple[ResultSet, int] | None:
        """The result and offset a locator points at, or None if it is unknown or expired."""
        cursor, _, offset = locator.rpartition("-")
        if not offset.isdigit():
            return None
        now = self._clock()
        with self._lock:
            entry = self._results.get(cursor)
            if entry is None or now - entry[1] > self.ttl:
                self._results.pop(cursor, None)
                return None
            self._results[cursor] = (entry[0], now)
        if int(offset) > len(entry[0].records):
            return None
        return entry[0], int(offset)

    def discard(self, locator: str) -> None:
        """Forget the result a locator points at."""
        with self._lock:
            self._results.pop(locator.rpartition("-")[0], None)
