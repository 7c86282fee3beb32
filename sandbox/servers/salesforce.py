"""The sandbox Salesforce REST API: the OAuth token endpoint, SOQL `query`/`queryAll` with paging, and
Bulk API 2.0 query jobs (`jobs/query`: create, state, CSV results by locator, abort, delete).

Every data request, bulk ones included, counts one call against the daily allowance reported in
`Sforce-Limit-Info` (assumed: Salesforce's documents count Bulk API 2.0 query jobs against their own
daily job allowance, and the saving comes from fewer, larger requests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.servers.bulk_jobs import DEFAULT_MAX_RECORDS, InvalidLocator, QueryJobs
from sandbox.servers.faults import FaultProfile
from sandbox.servers.filters import matching, resolve_fields
from sandbox.servers.http import Request, Response, json_response
from sandbox.servers.query import InvalidValue, QueryError, UnknownField, UnknownObject
from sandbox.servers.service import Route, Service, same_secret
from sandbox.servers.sessions import CursorStore, ResultSet, TokenStore
from sandbox.servers.soql import SoqlQuery, bind_soql, parse_soql
from sandbox.servers.store import Table, WorldStore

MAX_BATCH = 2000
MIN_BATCH = 200
_API = r"/services/data/v(?P<version>\d+\.\d+)/(?P<endpoint>query|queryAll)"
_JOBS = r"/services/data/v(?P<version>\d+\.\d+)/jobs/query"
_JOB = _JOBS + r"/(?P<job>[A-Za-z0-9]+)"
_ALPHANUMERIC = string.ascii_letters + string.digits
_ERRORS = {
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    404: ("NOT_FOUND", "The requested resource does not exist"),
    429: ("REQUEST_LIMIT_EXCEEDED", "Too many requests, retry later."),
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred."),
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable."),
}
_CUSTOM_HINT = "Please reference your WSDL or the describe call for the appropriate names."


@dataclass(frozen=True)
class _Render:
    """How the records of one query are rendered: object, selected fields, API version and endpoint."""

    object: str
    fields: tuple[str, ...]
    version: str
    endpoint: str

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """One record as Salesforce renders it: attributes, then the selected fields (nulls included)."""
        url = f"/services/data/v{self.version}/sobjects/{self.object}/{record.get('Id')}"
        return {"attributes": {"type": self.object, "url": url}, **{f: record.get(f) for f in self.fields}}


class SalesforceService(Service):
    """Salesforce's `/services/oauth2/token` and `/services/data/vNN.N/query|queryAll/` over one world."""

    system = "salesforce"

    def __init__(
        self,
        store: WorldStore,
        faults: FaultProfile | None,
        stopping: threading.Event,
        *,
        locator_ttl: float = 900.0,
        api_limit: int = 5000,
        job_seconds: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(store, faults, stopping)
        self.consumer_key = "3MVG9" + _alphanumeric(80)
        self.consumer_secret = secrets.token_hex(32).upper()
        self.sessions = TokenStore()
        self.session_id = self.sessions.issue(_session_id())
        self.cursors = CursorStore(locator_ttl, lambda: "01g" + _alphanumeric(15), clock)
        self.api_limit = api_limit
        self._usage = 0
        self.jobs = QueryJobs(job_seconds, clock, lambda: "750" + _alphanumeric(15))
        self.routes = [
            Route("POST", "/services/oauth2/token", self._token, token=True),
            Route("GET", _API + "/?", self._query),
            Route("GET", _API + "/(?P<cursor>[^/]+)", self._query_more, expire_cursor=self._expire_cursor),
            Route("POST", _JOBS + "/?", self._create_job),
            Route("GET", _JOB + "/?", self._job_info),
            Route("GET", _JOB + "/results/?", self._job_results),
            Route("PATCH", _JOB + "/?", self._abort_job),
            Route("DELETE", _JOB + "/?", self._delete_job),
        ]

    def load(self, store: WorldStore) -> None:
        """Serve another world from now on, with a fresh daily API allowance."""
        super().load(store)
        with self._lock:
            self._usage = 0

    def authenticate(self, request: Request) -> str | None:
        """The session id of a request, if it is a live session."""
        session = request.bearer()
        return session if self.sessions.valid(session) else None

    def revoke(self, credential: str) -> bool:
        """End a session."""
        self.sessions.revoke(credential)
        return True

    def admit(self) -> Response | None:
        """Count an API call against the allowance; refuse it once the allowance is spent."""
        with self._lock:
            self._usage += 1
            spent = self._usage > self.api_limit
        return _error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.") if spent else None

    def error(self, status: int) -> Response:
        """Salesforce's error list for a bare HTTP status."""
        return _error(status, *_ERRORS[status])

    def limit_headers(self, status: int) -> list[tuple[str, str]]:
        """The `Sforce-Limit-Info` header."""
        return [("Sforce-Limit-Info", f"api-usage={self._usage}/{self.api_limit}")]

    def _token(self, request: Request, match: re.Match[str]) -> Response:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return json_response(
                400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            )
        key, secret = _client_credentials(request, form)
        if not (same_secret(key, self.consumer_key) and same_secret(secret, self.consumer_secret)):
            return json_response(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        issued_at = str(int(time.time() * 1000))
        digest = hmac.new(self.consumer_secret.encode(), (self.base_url + issued_at).encode(), hashlib.sha256)
        return json_response(
            200,
            {
                "access_token": self.sessions.issue(_session_id()),
                "instance_url": self.base_url,
                "token_type": "Bearer",
                "issued_at": issued_at,
                "signature": base64.b64encode(digest.digest()).decode(),
            },
        )

    def _query(self, request: Request, match: re.Match[str]) -> Response:
        text = request.param("q")
        if not text:
            return _error(400, "MALFORMED_QUERY", "A query string has to be specified")
        try:
            query = parse_soql(text)
            table = self.store.table(self.system, query.object)
            if table is None:
                raise UnknownObject(query.object)
            fields, rows = _select(table, query, include_deleted=match["endpoint"] == "queryAll")
        except QueryError as exc:
            return _query_error(exc)
        if query.count:
            return json_response(200, {"totalSize": len(rows), "done": True, "records": []})
        render = _Render(table.obj.name, fields, match["version"], match["endpoint"])
        return self._page(ResultSet([table.records[i] for i in rows], _batch_size(request), render), 0)

    def _query_more(self, request: Request, match: re.Match[str]) -> Response:
        resumed = self.cursors.resume(match["cursor"])
        if resumed is None:
            return _error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(*resumed)

    def _expire_cursor(self, request: Request, match: re.Match[str]) -> None:
        self.cursors.discard(match["cursor"])

    def _create_job(self, request: Request, match: re.Match[str]) -> Response:
        body = request.json()
        if not isinstance(body, dict) or body.get("operation") not in ("query", "queryAll"):
            return _error(400, "INVALIDJOB", "operation must be query or queryAll")
        text = body.get("query")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "INVALIDJOB", "a query is required")
        try:
            query = parse_soql(text)
            if query.count:
                return _error(400, "INVALIDJOB", "COUNT() is not supported by Bulk API 2.0 queries")
            table = self.store.table(self.system, query.object)
            if table is None:
                raise UnknownObject(query.object)
            fields, rows = _select(table, query, include_deleted=body["operation"] == "queryAll")
        except QueryError as exc:
            return _query_error(exc)
        records = [table.records[i] for i in rows]
        job = self.jobs.submit(
            body["operation"], table.obj.name, fields, records, match["version"], self.faults.draw_job()
        )
        return json_response(200, self.jobs.info(job, created=True))

    def _job_info(self, request: Request, match: re.Match[str]) -> Response:
        job = self.jobs.get(match["job"])
        return json_response(200, self.jobs.info(job)) if job else self.error(404)

    def _job_results(self, request: Request, match: re.Match[str]) -> Response:
        job = self.jobs.get(match["job"])
        if job is None:
            return self.error(404)
        if self.jobs.state(job) != "JobComplete":
            return _error(400, "INVALIDJOBSTATE", f"Job {job.id} is not complete: {self.jobs.state(job)}")
        size = request.param("maxRecords") or str(DEFAULT_MAX_RECORDS)
        if not size.isdigit() or int(size) < 1:
            return _error(400, "INVALIDREQUEST", "maxRecords must be a positive integer")
        try:
            page = self.jobs.page(job, request.param("locator"), int(size))
        except InvalidLocator:
            return _error(400, "INVALIDLOCATOR", "invalid locator")
        headers = [
            ("Content-Type", "text/csv; charset=UTF-8"),
            ("Sforce-NumberOfRecords", str(page.records)),
            ("Sforce-Locator", page.locator),
        ]
        return Response(200, page.body, headers)

    def _abort_job(self, request: Request, match: re.Match[str]) -> Response:
        job = self.jobs.get(match["job"])
        if job is None:
            return self.error(404)
        body = request.json()
        if not isinstance(body, dict) or body.get("state") != "Aborted":
            return _error(400, "INVALIDJOBSTATE", "a query job can only be set to Aborted")
        if self.jobs.state(job) in ("JobComplete", "Failed"):
            return _error(400, "INVALIDJOBSTATE", f"Job {job.id} has already ended: {self.jobs.state(job)}")
        job.aborted = True
        return json_response(200, self.jobs.info(job))

    def _delete_job(self, request: Request, match: re.Match[str]) -> Response:
        return Response(204) if self.jobs.delete(match["job"]) else self.error(404)

    def _page(self, result: ResultSet, offset: int) -> Response:
        records, locator = self.cursors.page(result, offset)
        render: _Render = result.context
        payload: dict[str, Any] = {"totalSize": len(result.records), "done": locator is None}
        if locator is not None:
            payload["nextRecordsUrl"] = f"/services/data/v{render.version}/{render.endpoint}/{locator}"
        payload["records"] = [render.record(r) for r in records]
        return json_response(200, payload)


def _select(table: Table, query: SoqlQuery, *, include_deleted: bool) -> tuple[tuple[str, ...], list[int]]:
    fields = resolve_fields(table, query.fields)
    rows = matching(table, query.where, bind_soql)
    deleted = table.resolve("IsDeleted")
    if not include_deleted and deleted is not None:
        flags = table.column(deleted)
        rows = [i for i in rows if flags[i] is not True]
    if query.order_by is not None:
        values = table.column(resolve_fields(table, (query.order_by,))[0])
        rows.sort(key=lambda i: _sort_key(values[i]), reverse=query.descending)
    return fields, rows[: query.limit] if query.limit is not None else rows


def _sort_key(value: Any) -> tuple[bool, bool, Any]:
    """Nulls first (last when descending), then strings after other values, as SOQL orders them."""
    return (value is not None, isinstance(value, str), 0 if value is None else value)


def _batch_size(request: Request) -> int:
    match = re.search(r"batchSize\s*=\s*(\d+)", request.headers.get("Sforce-Query-Options") or "")
    return min(max(int(match[1]), MIN_BATCH), MAX_BATCH) if match else MAX_BATCH


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            key, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return key, secret
    return form.get("client_id"), form.get("client_secret")


def _query_error(exc: QueryError) -> Response:
    if isinstance(exc, UnknownField):
        message = (
            f"No such column '{exc.field}' on entity '{exc.obj}'. If you are attempting to use a custom "
            f"field, be sure to append the '__c' after the custom field name. {_CUSTOM_HINT}"
        )
        return _error(400, "INVALID_FIELD", message)
    if isinstance(exc, UnknownObject):
        message = (
            f"sObject type '{exc.name}' is not supported. If you are attempting to use a custom object, "
            f"be sure to append the '__c' after the entity name. {_CUSTOM_HINT}"
        )
        return _error(400, "INVALID_TYPE", message)
    if isinstance(exc, InvalidValue):
        return _error(
            400, "INVALID_FIELD", f"value of filter criterion for field '{exc.field}' must be {exc.expected}"
        )
    return _error(400, "MALFORMED_QUERY", str(exc))


def _error(status: int, code: str, message: str) -> Response:
    return json_response(status, [{"message": message, "errorCode": code}])


def _session_id() -> str:
    return f"00D{_alphanumeric(15)}!{secrets.token_urlsafe(72)}"


def _alphanumeric(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))
