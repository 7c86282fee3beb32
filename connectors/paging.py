"""Restarting a paged query whose server-side locator expired, skipping the records already yielded.

This relies on a query returning its rows in the same order each time it runs within one
extraction. Rows changed between the two runs may be missed or seen twice; the next incremental
run, which overlaps the previous one, corrects that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from connectors.errors import ExtractionError

logger = logging.getLogger(__name__)


class LocatorExpired(Exception):
    """The server no longer knows the locator (cursor) of a query in progress."""

    def __init__(self, endpoint: str, detail: str):
        super().__init__(f"{endpoint}: {detail}")
        self.endpoint = endpoint
        self.detail = detail


def restart_on_expiry(
    run: Callable[[], Iterator[list[Any]]], system: str, max_restarts: int
) -> Iterator[list[Any]]:
    """Non-empty pages of `run()`, which runs again past the records already yielded on LocatorExpired."""
    yielded = 0
    restarts = 0
    while True:
        skip = yielded
        try:
            for page in run():
                fresh = page[skip:]
                skip = max(0, skip - len(page))
                if fresh:
                    yielded += len(fresh)
                    restarts = 0
                    yield fresh
            return
        except LocatorExpired as exc:
            restarts += 1
            if restarts > max_restarts:
                raise ExtractionError(
                    system, exc.endpoint, f"query locator expired {restarts} times without progress"
                ) from exc
            logger.warning(
                "%s %s: %s; running the query again past the %d records already read",
                system,
                exc.endpoint,
                exc.detail,
                yielded,
            )
