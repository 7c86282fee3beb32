"""The sandbox Zuora REST API: OAuth tokens, the ZOQL action query with queryMore, and Data Query jobs."""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from sandbox.servers.faults import FaultProfile
from sandbox.servers.files import ResultFiles
from sandbox.servers.filters import matching, resolve_fields
from sandbox.servers.http import Request, Response, json_response
from sandbox.servers.query import InvalidValue, QueryError, UnknownField, UnknownObject
from sandbox.servers.query_jobs import JobRequestError, QueryJobs
from sandbox.servers.service import RateWindow, Route, Service, same_secret
from sandbox.servers.sessions import CursorStore, ResultSet, TokenStore
from sandbox.servers.store import WorldStore
from sandbox.servers.zoql import bind_zoql, parse_zoql

MAX_BATCH = 2000
TRACK_ID = "Zuora-Track-Id"
JOB_PATH = r"/query/jobs/(?P<job>[0-9a-f-]{36})"
_SCOPE = "entity.sandbox platform.read service.data-query.read"
_ERRORS = {
    401: (90000011, "Authentication error"),
    404: (90000040, "The requested resource was not found"),
    429: (90000070, "Too many requests"),
    500: (90000060, "Internal server error"),
    503: (90000061, "Service temporarily unavailable, try again later"),
}


class ZuoraService(Service):
    """Zuora's `/oauth/token`, `/v1/action/query`, `/v1/action/queryMore` and `/query/jobs` over one world."""

    system = "zuora"

    def __init__(
        self,
        store: WorldStore,
        faults: FaultProfile | None,
        stopping: threading.Event,
        *,
        files: ResultFiles,
        token_ttl: float = 3599.0,
        locator_ttl: float = 900.0,
        job_seconds: float = 0.2,
        max_running_jobs: int = 10,
        clock: Callable[[], float] = time.monotonic,
        build_data_query_at_load: bool = True,
    ) -> None:
        super().__init__(store, faults, stopping)
        self.track_ids: Counter[str | None] = Counter()
        self.jobs = QueryJobs(
            store,
            files,
            job_seconds=job_seconds,
            max_running=max_running_jobs,
            clock=clock,
            build_at_load=build_data_query_at_load,
        )
        self.client_id = secrets.token_hex(18)
        self.client_secret = secrets.token_urlsafe(30)
        self.tokens = TokenStore(token_ttl, clock)
        self.expires_in = int(token_ttl)
        self.cursors = CursorStore(locator_ttl, lambda: secrets.token_hex(16), clock)
        self.window = RateWindow(limit=1000, seconds=60)
        self.routes = [
            Route("POST", "/oauth/token", self._token, token=True),
            Route("POST", "/v1/action/query", self._query),
            Route("POST", "/v1/action/queryMore", self._query_more, expire_cursor=self._expire_locator),
            Route("POST", "/query/jobs", self._submit_job),
            Route("GET", JOB_PATH, self._get_job),
            Route("DELETE", JOB_PATH, self._cancel_job),
        ]

    def respond(self, request: Request) -> Response:
        """The response to one request, echoing its `Zuora-Track-Id` (counted per value)."""
        track_id = request.headers.get(TRACK_ID)
        with self._lock:
            self.track_ids[track_id] += 1
        response = super().respond(request)
        if track_id is not None:
            response.headers.append((TRACK_ID, track_id))
        return response

    def load(self, store: WorldStore) -> None:
        """Serve another world from now on, to the action query and Data Query alike."""
        super().load(store)
        self.jobs.load(store)

    def authenticate(self, request: Request) -> str | None:
        """The bearer token of a request, if Zuora issued it and it is still valid."""
        token = request.bearer()
        return token if self.tokens.valid(token) else None

    def revoke(self, credential: str) -> bool:
        """Invalidate a bearer token."""
        self.tokens.revoke(credential)
        return True

    def error(self, status: int) -> Response:
        """Zuora's v1 error body for a bare HTTP status."""
        return _v1_error(status, *_ERRORS[status])

    def limit_headers(self, status: int) -> list[tuple[str, str]]:
        """Zuora's `ratelimit-*` headers (reset in seconds)."""
        limit, remaining, reset_at = self.window.hit()
        return [
            ("ratelimit-limit", str(limit)),
            ("ratelimit-remaining", str(0 if status == 429 else remaining)),
            ("ratelimit-reset", str(max(math.ceil(reset_at - time.time()), 0))),
        ]

    def _token(self, request: Request, match: re.Match[str]) -> Response:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return _v1_error(400, 90000020, "grant_type must be client_credentials")
        if not (
            same_secret(form.get("client_id"), self.client_id)
            and same_secret(form.get("client_secret"), self.client_secret)
        ):
            return _v1_error(401, 90000011, "Invalid client id or client secret")
        token = self.tokens.issue(secrets.token_hex(16))
        return json_response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.expires_in,
                "scope": _SCOPE,
                "jti": token,
            },
        )

    def _query(self, request: Request, match: re.Match[str]) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("queryString"), str):
            return _v1_error(400, 90000020, "queryString is required")
        batch = _batch_size(body.get("conf"))
        if batch is None:
            return _v1_error(400, 90000020, f"conf.batchSize must be an integer from 1 to {MAX_BATCH}")
        try:
            result = self._run(body["queryString"], batch)
        except QueryError as exc:
            return _query_error(exc)
        return self._page(result, 0)

    def _run(self, text: str, batch: int) -> ResultSet:
        query = parse_zoql(text)
        table = self.store.table(self.system, query.object)
        if table is None:
            raise UnknownObject(query.object)
        fields = resolve_fields(table, query.fields)
        rows = matching(table, query.where, bind_zoql)
        return ResultSet([table.records[i] for i in rows], batch, fields)

    def _query_more(self, request: Request, match: re.Match[str]) -> Response:
        locator = _locator(request)
        if locator is None:
            return _v1_error(400, 90000020, "queryLocator is required")
        resumed = self.cursors.resume(locator)
        if resumed is None:
            return _fault(400, "INVALID_QUERY_LOCATOR", f"invalid query locator: {locator}")
        return self._page(*resumed)

    def _submit_job(self, request: Request, match: re.Match[str]) -> Response:
        if (request.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            return _data_query_error(415, "HTTP 415 Unsupported Media Type")
        try:
            job = self.jobs.submit(request.json(), self.faults.draw_job, request.headers.get("Idempotency-Key"))
            return json_response(200, {"data": job})
        except JobRequestError as exc:
            return _data_query_error(exc.status, exc.message)

    def _get_job(self, request: Request, match: re.Match[str]) -> Response:
        job = self.jobs.get(match["job"])
        return _data_query_error(404, "Query job not found") if job is None else json_response(200, {"data": job})

    def _cancel_job(self, request: Request, match: re.Match[str]) -> Response:
        job = self.jobs.cancel(match["job"])
        return _data_query_error(404, "Query job not found") if job is None else json_response(200, {"data": job})

    def _expire_locator(self, request: Request, match: re.Match[str]) -> None:
        locator = _locator(request)
        if locator is not None:
            self.cursors.discard(locator)

    def _page(self, result: ResultSet, offset: int) -> Response:
        records, locator = self.cursors.page(result, offset)
        payload: dict[str, Any] = {
            "records": [{f: r[f] for f in result.context if r.get(f) not in (None, "")} for r in records],
            "size": len(result.records),
            "done": locator is None,
        }
        if locator is not None:
            payload["queryLocator"] = locator
        return json_response(200, payload)


def _batch_size(conf: Any) -> int | None:
    size = conf.get("batchSize", MAX_BATCH) if isinstance(conf, dict) else MAX_BATCH
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return None
    return min(size, MAX_BATCH)


def _locator(request: Request) -> str | None:
    body = request.json()
    locator = body.get("queryLocator") if isinstance(body, dict) else None
    return locator if isinstance(locator, str) else None


def _query_error(exc: QueryError) -> Response:
    if isinstance(exc, UnknownField):
        return _fault(400, "INVALID_FIELD", f"invalid field for query: {exc.obj}.{exc.field.lower()}")
    if isinstance(exc, UnknownObject):
        return _fault(400, "INVALID_TYPE", f"invalid type for query: {exc.name}")
    if isinstance(exc, InvalidValue):
        return _fault(400, "INVALID_VALUE", f"invalid value for query: {exc.field} must be {exc.expected}")
    return _fault(400, "MALFORMED_QUERY", f"malformed query: {exc}")


def _data_query_error(status: int, message: str) -> Response:
    return json_response(status, {"code": status, "message": message})


def _fault(status: int, code: str, message: str) -> Response:
    return json_response(status, {"faultcode": code, "faultstring": message})


def _v1_error(status: int, code: int, message: str) -> Response:
    reasons = [{"code": code, "message": message}]
    return json_response(
        status, {"success": False, "processId": secrets.token_hex(8).upper(), "reasons": reasons}
    )
