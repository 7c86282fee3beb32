"""A requests.Session under the shared retry policy, with a default timeout, that counts its requests."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.connection import Connection
from connectors.retry import RETRYABLE_STATUSES, log_retry, parse_retry_after


class PolicySession(requests.Session):
    """A session for one system: environment ignored, retries per the policy, requests counted."""

    def __init__(self, system: str, connection: Connection):
        super().__init__()
        self.system = system
        self.policy = policy = connection.policy
        self.timeout = connection.timeout
        self.calls = 0
        self.trust_env = False
        self.verify = connection.verify
        retry = _PolicyRetry(
            total=policy.max_attempts - 1,
            other=0,
            status_forcelist=RETRYABLE_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.session = self
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.hooks["response"].append(self._count)

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Count a final response (the attempts retried before it are counted by the retry)."""
        self.calls += 1

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Send a request, with the session's timeout unless one is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


class _PolicyRetry(Retry):
    """urllib3's Retry sleeping per the RetryPolicy, logging each retry, counting the attempts it absorbs."""

    session: PolicySession

    def new(self, **kw: Any) -> Retry:
        """The next Retry state, still tied to the session."""
        fresh = super().new(**kw)
        fresh.session = self.session
        return fresh

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ) -> Retry:
        """The next Retry state; counts the failed attempt, which no response hook will see."""
        try:
            fresh = super().increment(method, url, response, error, _pool, _stacktrace)
        except Exception:
            if response is None:
                self.session.calls += 1
            raise
        self.session.calls += 1
        return fresh

    def sleep(self, response=None) -> None:
        """Log the retry and wait as the policy says (Retry-After capped by backoff_max)."""
        last = self.history[-1]
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if response is not None else None
        delay = self.session.policy.delay(len(self.history), retry_after)
        detail = f"HTTP {last.status}" if last.status else f"{type(last.error).__name__}: {last.error}"
        endpoint = f"{last.method} {urlsplit(last.url or '').path}"
        log_retry(self.session.system, endpoint, detail, len(self.history), self.session.policy, delay)
        time.sleep(delay)
