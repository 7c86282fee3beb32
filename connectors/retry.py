"""The retry policy shared by every connector: bounded attempts, exponential backoff with full jitter."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from connectors.errors import ExtractionError

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

T = TypeVar("T")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds asked for by a `Retry-After` header (seconds or HTTP date); None if absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` attempts; waits of base·2ⁿ with full jitter; waits (Retry-After too) capped."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1 for the first); the server's Retry-After wins."""
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        return random.uniform(0.0, min(self.backoff_max, self.backoff_base * 2 ** (retry - 1)))


class TransientError(Exception):
    """One failed attempt worth repeating: a retryable status, a transport failure or a broken body."""

    def __init__(self, detail: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


def log_retry(system: str, endpoint: str, detail: str, retry: int, policy: RetryPolicy, delay: float) -> None:
    """Log one line for one retry."""
    logger.warning(
        "%s %s: %s; retry %d of %d in %.2fs", system, endpoint, detail, retry, policy.max_attempts - 1, delay
    )


def call_with_retries(
    policy: RetryPolicy,
    system: str,
    endpoint: str,
    attempt: Callable[[], T],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """The result of `attempt()`, repeated on TransientError; ExtractionError when the attempts run out."""
    number = 1
    while True:
        try:
            return attempt()
        except TransientError as exc:
            if number >= policy.max_attempts:
                raise ExtractionError(
                    system,
                    endpoint,
                    f"gave up after {number} attempts; last: {exc.detail}",
                    status=exc.status,
                ) from exc
            delay = policy.delay(number, exc.retry_after)
            log_retry(system, endpoint, exc.detail, number, policy, delay)
            sleep(delay)
            number += 1
