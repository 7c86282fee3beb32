"""JSON over httpx under the shared retry policy, for the Zuora client."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from connectors.connection import Connection
from connectors.errors import AuthenticationError, ExtractionError, error_message
from connectors.retry import (
    RETRYABLE_STATUSES,
    TransientError,
    call_with_retries,
    parse_retry_after,
)

_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Reply:
    """A final (not transient) answer: the response and its JSON body (numbers with decimals as Decimal)."""

    system: str
    endpoint: str
    response: httpx.Response
    body: Any

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self.response.status_code

    @property
    def next_url(self) -> str | None:
        """The absolute URL of the `Link: <…>; rel="next"` header, if any."""
        link = self.response.links.get("next", {}).get("url")
        return str(self.response.url.join(link)) if link else None

    def error(self, detail: str = "") -> ExtractionError:
        """The ExtractionError (AuthenticationError for 401/403) describing this answer."""
        message = detail or error_message(self.body) or self.response.reason_phrase
        kind = AuthenticationError if self.status in (401, 403) else ExtractionError
        return kind(self.system, self.endpoint, f"HTTP {self.status}: {message}", status=self.status)

    def json_object(self) -> dict[str, Any]:
        """The body of a successful answer as a JSON object; ExtractionError otherwise."""
        if not self.response.is_success:
            raise self.error()
        if not isinstance(self.body, dict):
            raise self.error(f"expected a JSON object, got {type(self.body).__name__}")
        return self.body


class JsonHttp:
    """An httpx client for one system that retries transient failures and counts every request it sends."""

    def __init__(
        self,
        system: str,
        base_url: str,
        connection: Connection,
        *,
        headers: dict[str, str] | None = None,
    ):
        self.system = system
        self.policy = connection.policy
        self.calls = 0
        verify = connection.verify
        self._client = httpx.Client(
            base_url=base_url,
            timeout=connection.timeout,
            verify=ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify,
            headers=headers,
            event_hooks={"request": [self._count]},
        )

    def _count(self, request: httpx.Request) -> None:
        """Count a request as it is sent."""
        self.calls += 1

    def send(self, method: str, url: str, **kwargs: Any) -> Reply:
        """The first non-transient answer to `method url` (httpx keywords), retried per the policy."""
        request = self._client.build_request(method, url, **kwargs)
        endpoint = f"{request.method} {request.url.path}"

        def attempt() -> Reply:
            try:
                response = self._client.send(request)
            except _TRANSPORT_ERRORS as exc:
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc
            status = response.status_code
            if status in RETRYABLE_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                raise TransientError(f"HTTP {status}", status=status, retry_after=retry_after)
            try:
                body = json.loads(response.content, parse_float=Decimal)
            except ValueError as exc:
                if response.is_success:
                    raise TransientError(f"HTTP {status} with a truncated or unparseable JSON body") from exc
                body = None
            return Reply(self.system, endpoint, response, body)

        return call_with_retries(self.policy, self.system, endpoint, attempt)

    def close(self) -> None:
        """Close the connections."""
        self._client.close()
