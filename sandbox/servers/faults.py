"""Seeded, reproducible fault injection for the sandbox servers."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import StrEnum

from connectors.schema import SYSTEMS


class Fault(StrEnum):
    """A fault one request can get; the value is its name in a `FaultProfile.script`."""

    TOO_MANY_REQUESTS = "429"
    TOO_MANY_REQUESTS_BARE = "429-no-retry-after"
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    DROP = "drop"
    SLOW = "slow"
    TRUNCATE = "truncate"
    EXPIRE_TOKEN = "expire-token"
    EXPIRE_LOCATOR = "expire-locator"
    RESTART = "restart"


class JobFault(StrEnum):
    """What can befall one asynchronous query job; the value is its name in `FaultProfile.job_script`."""

    FAIL = "fail"  # the job ends Failed (a query timeout)
    ABORT = "abort"  # the job ends Aborted (Zuora: cancelled), as if an administrator stopped it
    STALL = "stall"  # the job stays in progress for ever
    SHORT_PAGE = "short-page"  # the job's first result page is cut after a whole row, its header unchanged
    EXPIRED_URL = "expired-url"  # Data Query: the job's first result URL has already expired
    TRUNCATED_FILE = "truncated-file"  # Data Query: the first download of the job's result file is cut short


@dataclass(frozen=True)
class FaultProfile:
    """Which faults the sandbox servers inject and how often; the same seed gives the same faults.

    Each system draws its own faults, in the order it serves its data requests (token requests
    too when `token_requests` is set): first the `script` (one entry per request, None for none),
    then `expire_token_every`/`expire_locator_every`, then the random rates. Asynchronous query jobs
    draw their fate from `job_script`, one entry per job submitted (None for a job that goes well).

    The CustomersDot database draws one fault per table read and honours `drop` (its connection is
    terminated), `slow` (past the reader's statement timeout) and `restart` (the server restarts), striking
    at row `fault_row` of the read; `refuse_password` makes it refuse the password it hands out.
    """

    seed: int = 0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    rate_slow: float = 0.0
    rate_truncate: float = 0.0
    retry_after: int = 1
    bare_429_share: float = 0.5
    slow_seconds: float = 5.0
    expire_token_every: int = 0
    expire_locator_every: int = 0
    script: tuple[Fault | str | None, ...] = ()
    job_script: tuple[JobFault | str | None, ...] = ()
    systems: tuple[str, ...] = SYSTEMS
    token_requests: bool = False
    fault_row: int = 25
    refuse_password: bool = False

    def __post_init__(self) -> None:
        rates = self.rates()
        if any(not 0.0 <= rate <= 1.0 for _, rate in rates) or sum(rate for _, rate in rates) > 1.0:
            raise ValueError("fault rates must lie in [0, 1] and add up to at most 1")
        if not 0.0 <= self.bare_429_share <= 1.0:
            raise ValueError("bare_429_share must lie in [0, 1]")
        if min(self.retry_after, self.slow_seconds, self.expire_token_every, self.expire_locator_every) < 0:
            raise ValueError("retry_after, slow_seconds and the expiry periods must not be negative")
        if self.fault_row < 1:
            raise ValueError("fault_row must be at least 1")
        unknown = set(self.systems) - set(SYSTEMS)
        if unknown:
            raise ValueError(f"unknown systems: {sorted(unknown)}")
        object.__setattr__(self, "script", tuple(Fault(f) if f else None for f in self.script))
        object.__setattr__(self, "job_script", tuple(JobFault(f) if f else None for f in self.job_script))
        object.__setattr__(self, "systems", tuple(self.systems))

    def rates(self) -> tuple[tuple[Fault, float], ...]:
        """The random faults with their per-request probabilities."""
        return (
            (Fault.TOO_MANY_REQUESTS, self.rate_429),
            (Fault.SERVER_ERROR, self.rate_500),
            (Fault.UNAVAILABLE, self.rate_503),
            (Fault.DROP, self.rate_drop),
            (Fault.SLOW, self.rate_slow),
            (Fault.TRUNCATE, self.rate_truncate),
        )


class FaultInjector:
    """Draws the fault of each request one system serves, reproducibly from the profile's seed."""

    def __init__(self, profile: FaultProfile | None, system: str, *, bare_429: bool = False) -> None:
        self.profile = profile if profile is not None and system in profile.systems else FaultProfile()
        self._random = random.Random(f"{self.profile.seed}:{system}")
        self._bare_429 = bare_429
        self._lock = threading.Lock()
        self._drawn = 0
        self._data = 0
        self._continuations = 0
        self._jobs = 0

    def draw(self, *, token: bool = False, continuation: bool = False) -> Fault | None:
        """The fault of the next request: a token request, or a data request (maybe continuing a query)."""
        profile = self.profile
        if token and not profile.token_requests:
            return None
        with self._lock:
            self._drawn += 1
            self._data += not token
            self._continuations += continuation
            if self._drawn <= len(profile.script):
                fault = profile.script[self._drawn - 1]
            elif not token and _every(profile.expire_token_every, self._data):
                fault = Fault.EXPIRE_TOKEN
            elif continuation and _every(profile.expire_locator_every, self._continuations):
                fault = Fault.EXPIRE_LOCATOR
            else:
                fault = self._random_fault(profile)
        if (fault is Fault.EXPIRE_TOKEN and token) or (fault is Fault.EXPIRE_LOCATOR and not continuation):
            return None
        return fault

    def draw_job(self) -> JobFault | None:
        """The fate of the next asynchronous query job submitted."""
        with self._lock:
            self._jobs += 1
            script = self.profile.job_script
            return script[self._jobs - 1] if self._jobs <= len(script) else None

    def _random_fault(self, profile: FaultProfile) -> Fault | None:
        draw = self._random.random()
        for fault, rate in profile.rates():
            if draw < rate:
                if fault is Fault.TOO_MANY_REQUESTS and self._bare_429:
                    if self._random.random() < profile.bare_429_share:
                        return Fault.TOO_MANY_REQUESTS_BARE
                return fault
            draw -= rate
        return None


def _every(period: int, count: int) -> bool:
    return period > 0 and count % period == 0
