"""The Salesforce client: SOQL through simple-salesforce's REST calls, on a requests session of ours.

Every query goes to `queryAll`, so merged and deleted rows (`IsDeleted`, `MasterRecordId`) come too.
Login is a session id for the instance, or OAuth 2.0 client credentials through simple-salesforce's
own token flow, posted to `https://<domain>.salesforce.com` or, without a domain, to the instance
itself. When the session expires in the middle of a pagination (401 `INVALID_SESSION_ID`), a client
with client credentials logs in again and asks once more for the `nextRecordsUrl` it was at; a client
given only a session id fails with AuthenticationError. An expired query locator
(`INVALID_QUERY_LOCATOR`) runs the query again past the records already yielded (`connectors.paging`).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError

from connectors.base import ClientBase, iso_utc, project
from connectors.errors import AuthenticationError, ExtractionError, error_message
from connectors.paging import LocatorExpired, restart_on_expiry
from connectors.requests_session import PolicySession
from connectors.retry import RETRYABLE_STATUSES, RetryPolicy, TransientError, call_with_retries
from connectors.schema import SourceObject

logger = logging.getLogger(__name__)

API_VERSION = "59.0"
QUERY_ALL_PATH = f"/services/data/v{API_VERSION}/queryAll/"
TOKEN_PATH = "/services/oauth2/token"


class SalesforceClient(ClientBase):
    """Reads Salesforce objects with SOQL queryAll; one instance (one session) per run."""

    system = "salesforce"

    def __init__(
        self,
        instance_url: str,
        *,
        session_id: str | None = None,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        domain: str | None = None,
        ca_bundle: str | None = None,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        page_size: int = 2000,
    ):
        if session_id is None and not (consumer_key and consumer_secret):
            raise ValueError("SalesforceClient needs a session_id, or a consumer_key and a consumer_secret")
        self._instance = instance_url.split("://", 1)[-1].rstrip("/")
        self._url = f"https://{self._instance}"
        self._session_id = session_id
        self._consumer = (consumer_key, consumer_secret) if consumer_key and consumer_secret else None
        self._domain = domain
        self.page_size = page_size
        self._policy = RetryPolicy(max_attempts, backoff_base, backoff_max)
        self._session = PolicySession(self.system, self._policy, timeout=timeout, verify=ca_bundle or True)
        self._sf: Any = None

    @property
    def api_calls(self) -> int:
        """HTTP requests made so far, retries and logins included."""
        return self._session.calls

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """API requests used and allowed for the org, from the last `Sforce-Limit-Info` header."""
        usage = self._sf.api_usage.get("api-usage") if self._sf is not None else None
        return (usage.used, usage.total) if usage else None

    def iter_pages(self, obj: SourceObject, since: dt.datetime | None = None) -> Iterator[list[dict]]:
        """Non-empty pages of `obj`'s records, deleted ones included, modified at or after `since`."""
        self._check(obj)
        soql = f"SELECT {', '.join(obj.field_names)} FROM {obj.name}"
        if since is not None:
            soql += f" WHERE {obj.watermark} >= {iso_utc(since)}"
        for records in self._query_all(soql):
            yield [project(obj, record) for record in records]

    def count(self, obj: SourceObject) -> int:
        """The `totalSize` of `SELECT COUNT()`, deleted records included."""
        self._check(obj)
        result = self._request(
            f"GET {QUERY_ALL_PATH}", "query", f"SELECT COUNT() FROM {obj.name}", include_deleted=True
        )
        return int(result["totalSize"])

    def iter_id_pages(self, obj: SourceObject) -> Iterator[list[str]]:
        """Non-empty pages of every `Id` of `obj`, deleted ones included."""
        self._check(obj)
        for records in self._query_all(f"SELECT Id FROM {obj.name}"):
            yield [record["Id"] for record in records]

    def close(self) -> None:
        """Close the session."""
        self._session.close()

    def _query_all(self, soql: str) -> Iterator[list[dict]]:
        """Non-empty record pages of a queryAll, run again if its locator expires."""
        return restart_on_expiry(partial(self._run_query, soql), self.system, self._policy.max_attempts)

    def _run_query(self, soql: str) -> Iterator[list[dict]]:
        """The record pages of one run of a queryAll, following `nextRecordsUrl` until done."""
        result = self._request(f"GET {QUERY_ALL_PATH}", "query", soql, include_deleted=True)
        yield result["records"]
        while not result.get("done", True):
            next_url = result["nextRecordsUrl"]
            result = self._request(f"GET {next_url}", "query_more", next_url, identifier_is_url=True)
            yield result["records"]

    def _request(self, endpoint: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """simple-salesforce's `method(*args)` with our headers; an expired session renewed once."""
        from simple_salesforce.exceptions import SalesforceExpiredSession

        headers = {"Sforce-Query-Options": f"batchSize={self.page_size}"}
        for _ in range(2):
            call = getattr(self._salesforce(), method)
            try:
                return self._call(endpoint, call, *args, headers=headers, **kwargs)
            except SalesforceExpiredSession as exc:
                if self._consumer is None:
                    raise AuthenticationError(
                        self.system,
                        endpoint,
                        "HTTP 401: session expired or invalid, and no client credentials to log in again",
                        status=401,
                    ) from exc
                logger.warning("salesforce %s: session expired or invalid; logging in again", endpoint)
                self._session_id = None
                self._sf = None
        raise AuthenticationError(self.system, endpoint, "HTTP 401 even after logging in again", status=401)

    def _salesforce(self) -> Any:
        """The simple-salesforce handle on our session, logging in first if there is no session yet."""
        if self._sf is None:
            from simple_salesforce import Salesforce

            session_id, instance = (self._session_id, self._instance) if self._session_id else self._login()
            self._sf = Salesforce(
                session_id=session_id,
                instance=instance,
                session=self._session,
                version=API_VERSION,
                parse_float=Decimal,
                object_pairs_hook=dict,
            )
        return self._sf

    def _login(self) -> tuple[str, str]:
        """An access token and instance from the OAuth 2.0 client-credentials flow."""
        from simple_salesforce.login import token_login

        assert self._consumer is not None
        key, secret = self._consumer
        host = f"{self._domain}.salesforce.com" if self._domain else self._instance
        basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
        endpoint = f"POST {TOKEN_PATH}"
        token, instance = self._call(
            endpoint,
            token_login,
            f"https://{host}{TOKEN_PATH}",
            {"grant_type": "client_credentials"},
            self._domain or "login",
            key,
            {"Authorization": f"Basic {basic}"},
            None,
            self._session,
        )
        if not token or not instance:
            raise AuthenticationError(self.system, endpoint, "no access_token or instance_url in the answer")
        return token, instance

    def _call(self, endpoint: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`call(*args, **kwargs)`, repeated on broken bodies (the session retries statuses, transport)."""
        from simple_salesforce.exceptions import (
            SalesforceAuthenticationFailed,
            SalesforceError,
            SalesforceExpiredSession,
        )

        def attempt() -> Any:
            try:
                return call(*args, **kwargs)
            except SalesforceExpiredSession:
                raise
            except SalesforceAuthenticationFailed as exc:
                if exc.code in RETRYABLE_STATUSES:
                    raise self._gave_up(endpoint, f"HTTP {exc.code}", exc.code) from exc
                if exc.code == 200 and isinstance(exc.__cause__, ValueError):
                    raise TransientError("HTTP 200 with a truncated or unparseable JSON body") from exc
                raise AuthenticationError(self.system, endpoint, f"login refused: {exc}"[:300]) from exc
            except SalesforceError as exc:
                if exc.status in RETRYABLE_STATUSES:
                    raise self._gave_up(endpoint, f"HTTP {exc.status}", exc.status) from exc
                message = error_message(exc.content) or type(exc).__name__
                if exc.status in (400, 404) and "locator" in message.lower():
                    raise LocatorExpired(endpoint, f"HTTP {exc.status}: {message}") from exc
                raise ExtractionError(
                    self.system, endpoint, f"HTTP {exc.status}: {message}", status=exc.status
                ) from exc
            except requests.RequestException as exc:
                cause = exc.args[0] if exc.args else None
                if isinstance(cause, MaxRetryError):
                    raise self._gave_up(endpoint, f"{type(cause.reason).__name__}: {cause.reason}") from exc
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc

        return call_with_retries(self._policy, self.system, endpoint, attempt)

    def _gave_up(self, endpoint: str, last: str, status: int | None = None) -> ExtractionError:
        """The error for a request whose retries (made by the session) are spent."""
        attempts = f" after {self._policy.max_attempts} attempts" if status is not None else ""
        return ExtractionError(self.system, endpoint, f"gave up{attempts}; last: {last}", status=status)
