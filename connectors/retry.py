"""The one retry helper: bounded attempts, exponential backoff (with full jitter unless told otherwise), a deadline."""

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
    """At most `max_attempts` attempts; waits of base·2ⁿ (full jitter if `jitter`), Retry-After too, capped."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1 for the first); the server's Retry-After wins."""
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** min(retry - 1, 64))
        return random.uniform(0.0, ceiling) if self.jitter else ceiling


def with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    transient: Callable[[Exception], bool],
    on_retry: Callable[[int, Exception, float], None] | None = None,
    deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """The result of `attempt()`, repeated while it raises a `transient` error, within the policy's attempts and
    before the `clock` reaches `deadline`; any other error, or the last one, is raised.

    `on_retry(number, error, delay)` is told of each failed attempt before the wait; an error's `retry_after`
    (seconds the server asked for) sets the wait.
    """
    number = 1
    while True:
        try:
            return attempt()
        except Exception as exc:
            out_of_time = deadline is not None and clock() >= deadline
            if not transient(exc) or number >= policy.max_attempts or out_of_time:
                raise
            delay = policy.delay(number, getattr(exc, "retry_after", None))
            if on_retry is not None:
                on_retry(number, exc, delay)
            sleep(delay)
            number += 1


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

    def log(number: int, exc: Exception, delay: float) -> None:
        log_retry(system, endpoint, str(exc), number, policy, delay)

    try:
        return with_retries(
            attempt, policy, transient=lambda exc: isinstance(exc, TransientError), on_retry=log, sleep=sleep
        )
    except TransientError as exc:
        raise ExtractionError(
            system, endpoint, f"gave up after {policy.max_attempts} attempts; last: {exc.detail}", status=exc.status
        ) from exc
