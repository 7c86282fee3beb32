"""The Salesforce client: SOQL through simple-salesforce's REST calls, on a requests session of ours.

Every query goes to `queryAll`, so merged and deleted rows (`IsDeleted`, `MasterRecordId`) come too.
Login is a session id for the instance, or OAuth 2.0 client credentials through simple-salesforce's
own token flow, posted to `https://<domain>.salesforce.com` or, without a domain, to the instance
itself. When the session expires in the middle of a pagination (401 `INVALID_SESSION_ID`), a client
with client credentials logs in again and asks once more for the `nextRecordsUrl` it was at; a client
given only a session id fails with AuthenticationError. An expired query locator
(`INVALID_QUERY_LOCATOR`) runs the query again past the records already yielded (`connectors.paging`).

A read told to expect more than `bulk_threshold` records (a full load, by its previous snapshot) goes
straight through a Bulk API 2.0 `queryAll` job (`connectors.salesforce_bulk`), which spends far fewer
calls on large reads. Any other read picks its path from the first REST page: when its `totalSize` is
above the threshold, the rest of the REST query is left for a job; otherwise it follows the REST pages.
So a small read costs no more than before, and a large one at most one call more than its job.
REST and bulk calls use the same API version, a setting.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError

from connectors.base import ClientBase, iso_utc, path_by_hint, path_by_probe, project
from connectors.connection import DEFAULT_CONNECTION, Connection
from connectors.errors import AuthenticationError, ExtractionError, error_message
from connectors.paging import LocatorExpired, restart_on_expiry
from connectors.requests_session import PolicySession
from connectors.retry import RETRYABLE_STATUSES, TransientError, call_with_retries
from connectors.salesforce_bulk import BulkQueries, Polling
from connectors.schema import SourceObject

logger = logging.getLogger(__name__)

API_VERSION = "59.0"
# A read through REST costs ceil(n / 2000) calls; through Bulk API 2.0 the REST probe (none when the previous
# snapshot tells the size), the job, its polls (one once a job was measured) and ceil(n / 100000) result pages:
# three to five calls and a job's latency. Measured on the
# sandbox for one object: 8,000 records took 4 calls either way (0.3 s REST, 0.7 s bulk), 12,000 took 6
# against 4, 40,000 took 20 against 4 in the same 2.1 s. Above 10,000 bulk spares calls at little cost.
BULK_THRESHOLD = 10_000
BULK_RESULTS_PAGE = 100_000  # records per results page (`maxRecords`); each page streams through a file
TOKEN_PATH = "/services/oauth2/token"
_VERSION = re.compile(r"\d{2,3}\.0")
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


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
        connection: Connection = DEFAULT_CONNECTION,
        page_size: int = 2000,
        api_version: str = API_VERSION,
        bulk_threshold: int = BULK_THRESHOLD,
        bulk_results_page: int = BULK_RESULTS_PAGE,
        polling: Polling | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if session_id is None and not (consumer_key and consumer_secret):
            raise ValueError("SalesforceClient needs a session_id, or a consumer_key and a consumer_secret")
        if not _VERSION.fullmatch(api_version):
            raise ValueError(f"api_version must look like {API_VERSION}, not {api_version!r}")
        if bulk_threshold < 0 or bulk_results_page < 1:
            raise ValueError("bulk_threshold must be >= 0 and bulk_results_page >= 1")
        self._instance = instance_url.split("://", 1)[-1].rstrip("/")
        self._url = f"https://{self._instance}"
        self._session_id = session_id
        self._consumer = (consumer_key, consumer_secret) if consumer_key and consumer_secret else None
        self._domain = domain
        self.page_size = page_size
        self.api_version = api_version
        self.bulk_threshold = bulk_threshold
        self.last_path = ""
        self.last_path_reason = ""
        self._query_all_path = f"/services/data/v{api_version}/queryAll/"
        self._policy = connection.policy
        self._session = PolicySession(self.system, connection)
        self._session.hooks["response"].append(self._note_usage)
        self._usage: tuple[int, int] | None = None
        self._sf: Any = None
        self._bulk = BulkQueries(
            self.system,
            api_version,
            self._bulk_call,
            self._policy,
            polling=polling or Polling(),
            results_page=bulk_results_page,
            clock=clock,
            sleep=sleep,
        )

    @property
    def api_calls(self) -> int:
        """HTTP requests made so far, retries and logins included."""
        return self._session.calls

    @property
    def jobs(self) -> int:
        """Bulk API 2.0 query jobs submitted so far, resubmissions included."""
        return self._bulk.jobs

    @property
    def polls(self) -> int:
        """Bulk API 2.0 job status polls made so far."""
        return self._bulk.polls

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """API requests used and allowed for the org, from the last `Sforce-Limit-Info` header."""
        return self._usage

    def iter_pages(
        self, obj: SourceObject, since: dt.datetime | None = None, expected_rows: int | None = None
    ) -> Iterator[list[dict]]:
        """Non-empty pages of `obj`'s records, deleted ones included, modified at or after `since`.

        Sets `last_path` to the path chosen for this read, "query" (REST) or "bulk" (Bulk API 2.0), and
        `last_path_reason`; `expected_rows` above the threshold takes the bulk path without a size probe.
        """
        self._check(obj)
        soql = f"SELECT {', '.join(obj.field_names)} FROM {obj.name}"
        if since is not None:
            soql += f" WHERE {obj.watermark} >= {iso_utc(since)}"
        self.last_path, pages = self._read(obj, soql, expected_rows)
        for records in pages:
            yield [project(obj, record) for record in records]

    def count(self, obj: SourceObject) -> int:
        """The `totalSize` of `SELECT COUNT()`, deleted records included."""
        self._check(obj)
        result = self._request(
            f"GET {self._query_all_path}", "query", f"SELECT COUNT() FROM {obj.name}", include_deleted=True
        )
        return int(result["totalSize"])

    def iter_id_pages(self, obj: SourceObject) -> Iterator[list[str]]:
        """Non-empty pages of every `Id` of `obj`, deleted ones included."""
        self._check(obj)
        _, pages = self._read(obj, f"SELECT Id FROM {obj.name}")
        for records in pages:
            yield [record["Id"] for record in records]

    def close(self) -> None:
        """Close the session."""
        self._session.close()

    def _read(self, obj: SourceObject, soql: str, expected_rows: int | None = None) -> tuple[str, Iterator[list[dict]]]:
        """The path chosen for a queryAll (by `expected_rows`, else by its first REST page), and the record
        pages along that path."""
        if reason := path_by_hint(expected_rows, self.bulk_threshold):
            self.last_path_reason = reason
            return "bulk", self._bulk.pages(obj, soql, self.page_size, expected_rows)
        first = self._request(f"GET {self._query_all_path}", "query", soql, include_deleted=True)
        size = int(first["totalSize"])
        path, self.last_path_reason = path_by_probe(size, self.bulk_threshold)
        if path == "bulk":
            return "bulk", self._bulk.pages(obj, soql, self.page_size, size)
        runs = iter([first])
        return "query", restart_on_expiry(
            lambda: self._run_query(soql, next(runs, None)), self.system, self._policy.max_attempts
        )

    def _run_query(self, soql: str, first: dict | None) -> Iterator[list[dict]]:
        """The record pages of one run of a queryAll (from its `first` page if given), until done."""
        if first is None:
            first = self._request(f"GET {self._query_all_path}", "query", soql, include_deleted=True)
        result = first
        yield result["records"]
        while not result.get("done", True):
            next_url = result["nextRecordsUrl"]
            result = self._request(f"GET {next_url}", "query_more", next_url, identifier_is_url=True)
            yield result["records"]

    def _request(self, endpoint: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """simple-salesforce's REST `method(*args)` with our headers; an expired session renewed once."""
        headers = {"Sforce-Query-Options": f"batchSize={self.page_size}"}
        return self._authorized(endpoint, lambda sf: getattr(sf, method)(*args, headers=headers, **kwargs))

    def _bulk_call(self, endpoint: str, object_name: str, use: Callable[[Any], Any]) -> Any:
        """`use(client)` on simple-salesforce's Bulk API 2.0 client of `object_name`; the session renewed once."""
        return self._authorized(endpoint, lambda sf: use(getattr(sf.bulk2, object_name)._client))

    def _authorized(self, endpoint: str, use: Callable[[Any], Any]) -> Any:
        """`use(sf)` on the simple-salesforce handle; an expired session renewed once."""
        from simple_salesforce.exceptions import SalesforceExpiredSession

        for _ in range(2):
            sf = self._salesforce()
            try:
                return self._call(endpoint, use, sf)
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
                version=self.api_version,
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

    def _note_usage(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Keep the org's API usage from a response's `Sforce-Limit-Info` (REST and bulk calls alike)."""
        match = _USAGE.search(response.headers.get("Sforce-Limit-Info") or "")
        if match:
            self._usage = (int(match[1]), int(match[2]))

    def _gave_up(self, endpoint: str, last: str, status: int | None = None) -> ExtractionError:
        """The error for a request whose retries (made by the session) are spent."""
        attempts = f" after {self._policy.max_attempts} attempts" if status is not None else ""
        return ExtractionError(self.system, endpoint, f"gave up{attempts}; last: {last}", status=status)
