"""The Zuora client: OAuth client credentials, ZOQL action queries (query, queryMore) and Data Query, over httpx.

A read told to expect more than `bulk_threshold` records (a full load, by its previous snapshot) goes
straight to Data Query. Any other read starts as an action query: its first page tells how many records
the read holds (`size`). Up to `bulk_threshold` records the read goes on with queryMore (the catalog,
small increments); above it the locator is left unused and the read goes to Data Query
(`connectors.data_query`), split into `updateddate` windows of at most `window_records` records.
Deletions are read from Data Query with `readDeleted`. Every call carries `Zuora-Track-Id`, one value
per client, so per run.

A query locator can expire in the middle of a long extraction (Zuora forgets it after 15 minutes
of inactivity): `queryMore` then answers 400 or 404 naming the locator, and the query runs again
from the start, past the records already yielded (see `connectors.paging`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connectors.base import ClientBase, iso_utc, path_by_hint, path_by_probe
from connectors.connection import DEFAULT_CONNECTION, Connection
from connectors.data_query import TRACK_ID_HEADER, DataQueryJobs, DataQuerySettings
from connectors.errors import AuthenticationError, ExtractionError
from connectors.http_json import JsonHttp, Reply
from connectors.paging import LocatorExpired, restart_on_expiry
from connectors.schema import SourceObject, parse_datetime

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"
QUERY_PATH = "/v1/action/query"
QUERY_MORE_PATH = "/v1/action/queryMore"
TOKEN_RENEWAL_MARGIN = 300.0
MAX_TRACK_ID = 64


class ZuoraClient(ClientBase):
    """Reads Zuora objects with ZOQL; one instance (one connection pool, one token) per run."""

    system = "zuora"

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        connection: Connection = DEFAULT_CONNECTION,
        page_size: int = 2000,
        data_query: DataQuerySettings | None = None,
        track_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.page_size = page_size
        self.track_id = track_id or f"lnr-audit-{uuid.uuid4().hex}"
        if len(self.track_id) > MAX_TRACK_ID or not self.track_id.isascii():
            raise ValueError(f"a Zuora-Track-Id is at most {MAX_TRACK_ID} ASCII characters")
        self.last_path = ""
        self.last_path_reason = ""
        self._policy = connection.policy
        self._http = JsonHttp(self.system, self._url, connection, headers={TRACK_ID_HEADER: self.track_id})
        self._jobs = DataQueryJobs(
            self._send_json,
            data_query or DataQuerySettings(),
            self._policy,
            page_size=page_size,
            timeout=connection.timeout,
            verify=connection.verify,
            clock=clock,
            sleep=sleep,
        )
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._deleted_ids: dict[str, tuple[dt.datetime, list[str]]] = {}

    @property
    def api_calls(self) -> int:
        """HTTP requests made so far, retries, token calls and result file downloads included."""
        return self._http.calls + self._jobs.downloads

    @property
    def jobs(self) -> int:
        """Data Query jobs submitted so far."""
        return self._jobs.jobs

    @property
    def polls(self) -> int:
        """Data Query job status polls so far."""
        return self._jobs.polls

    def iter_pages(
        self, obj: SourceObject, since: dt.datetime | None = None, expected_rows: int | None = None
    ) -> Iterator[list[dict]]:
        """Non-empty pages of `obj`'s records (null fields absent), updated at or after `since`; by Data Query
        without a size probe when `expected_rows` is above the threshold."""
        self._check(obj)
        return self._read(obj, obj.field_names, since, expected_rows)

    def count(self, obj: SourceObject) -> int:
        """The `size` of a `select Id` query, its locator left unused."""
        self._check(obj)
        reply = self._post(
            QUERY_PATH, {"queryString": f"select Id from {obj.name}", "conf": {"batchSize": 1}}
        )
        return int(reply.json_object()["size"])

    def iter_id_pages(self, obj: SourceObject) -> Iterator[list[str]]:
        """Non-empty pages of every `Id` of `obj`."""
        self._check(obj)
        for page in self._read(obj, (obj.key,), None):
            yield [record[obj.key] for record in page]

    def iter_deleted_id_pages(
        self, obj: SourceObject, since: dt.datetime, alongside: Mapping[SourceObject, dt.datetime] | None = None
    ) -> Iterator[list[str]]:
        """Non-empty pages of the ids of `obj`'s records deleted (updated) at or after `since`, from Data Query.

        One job reads them for `obj` and for every object of `alongside` (each from its own lower bound); the
        others' ids are kept for this client (a run) and given, without a request, to the first call that asks
        for one of them from the same bound or a later one.
        """
        self._check(obj)
        kept = self._deleted_ids.pop(obj.name, None)
        if kept is None or kept[0] > since:
            bounds = {o.name: (o, b) for o, b in (alongside or {}).items() if o.system == self.system}
            bounds[obj.name] = (obj, since)
            self._deleted_ids = {name: (bound, []) for name, (_, bound) in bounds.items()}
            for page in self._jobs.pages([deleted_ids_sql(list(bounds.values()))], read_deleted=True):
                for row in page:
                    self._deleted_ids[row["object_name"]][1].append(row["id"])
            kept = self._deleted_ids.pop(obj.name)
        ids = kept[1]
        for start in range(0, len(ids), self.page_size):
            yield ids[start : start + self.page_size]

    def close(self) -> None:
        """Close the connections."""
        self._http.close()
        self._jobs.close()

    def _read(
        self, obj: SourceObject, fields: tuple[str, ...], since: dt.datetime | None, expected_rows: int | None = None
    ) -> Iterator[list[dict]]:
        """Pages of `fields` of `obj` since `since`: by the action query, or by Data Query above the threshold
        (as expected, or as the first page tells)."""
        threshold = self._jobs.settings.bulk_threshold
        if reason := path_by_hint(expected_rows, threshold):
            self.last_path, self.last_path_reason = "bulk", reason
            return self._bulk_pages(obj, fields, since, expected_rows or 0)
        zoql = f"select {', '.join(fields)} from {obj.name}"
        if since is not None:
            zoql += f" where {obj.watermark} >= '{iso_utc(since)}'"
        first = self._post(QUERY_PATH, {"queryString": zoql, "conf": {"batchSize": self.page_size}})
        size = int(first.json_object().get("size") or 0)
        self.last_path, self.last_path_reason = path_by_probe(size, threshold)
        if self.last_path == "bulk":
            return self._bulk_pages(obj, fields, since, size)
        replies = iter([first])
        return restart_on_expiry(
            lambda: self._run_query(zoql, next(replies, None)), self.system, self._policy.max_attempts
        )

    def _bulk_pages(
        self, obj: SourceObject, fields: tuple[str, ...], since: dt.datetime | None, size: int
    ) -> Iterator[list[dict]]:
        """Pages of `fields` of `obj` from Data Query jobs, one per `updateddate` window, named as declared.

        Split reads end at the moment they were planned: a record updated while the windows run could
        otherwise be read twice, in its old window and its new one; the next increment reads it instead.
        """
        starts = self._window_starts(obj, since, size)
        bounds = [since, *starts, dt.datetime.now(dt.UTC) if starts else None]
        statements = [select_sql(obj, fields, low, high) for low, high in zip(bounds, bounds[1:], strict=False)]
        names = {name.lower(): name for name in fields}
        for page in self._jobs.pages(statements, expected_rows=size):
            yield [{names[k]: v for k, v in row.items() if v is not None and k in names} for row in page]

    def _window_starts(self, obj: SourceObject, since: dt.datetime | None, size: int) -> list[dt.datetime]:
        """Day boundaries that split `obj`'s records since `since` into windows of at most `window_records`
        (`size`, the records reported or expected, tells whether a split is needed at all)."""
        limit = self._jobs.settings.window_records
        if size <= limit:
            return []
        watermark = obj.watermark.lower()
        histogram = (
            f"SELECT date_trunc('day', {watermark}) AS day, count(*) AS records FROM {obj.name.lower()}"
            f"{_where(watermark, since, None)} GROUP BY 1 ORDER BY 1"
        )
        starts: list[dt.datetime] = []
        in_window = 0
        for page in self._jobs.pages([histogram]):
            for row in page:
                if row["day"] is None:
                    continue
                if in_window and in_window + int(row["records"]) > limit:
                    starts.append(parse_datetime(row["day"]))
                    in_window = 0
                in_window += int(row["records"])
        return starts

    def _run_query(self, zoql: str, first: Reply | None = None) -> Iterator[list[dict]]:
        """The record pages of one run of a ZOQL query (from its `first` reply if given); LocatorExpired when
        Zuora forgets the locator."""
        reply = first or self._post(QUERY_PATH, {"queryString": zoql, "conf": {"batchSize": self.page_size}})
        while True:
            body = reply.json_object()
            yield body.get("records") or []
            if body.get("done", True):
                return
            if not body.get("queryLocator"):
                raise reply.error("done is false but there is no queryLocator")
            reply = self._post(QUERY_MORE_PATH, {"queryLocator": body["queryLocator"]})
            if reply.status in (400, 404) and "locator" in reply.response.text.lower():
                raise LocatorExpired(reply.endpoint, reply.error().detail)

    def _post(self, path: str, payload: dict[str, Any]) -> Reply:
        """POST `payload` with the bearer token; on a 401, once more with a new token."""
        return self._send("POST", path, payload)

    def _send_json(
        self, method: str, path: str, payload: dict[str, Any] | None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The JSON object answered to `method path` (with `payload` and `headers`) under the bearer token."""
        return self._send(method, path, payload, headers).json_object()

    def _send(
        self, method: str, path: str, payload: dict[str, Any] | None, headers: dict[str, str] | None = None
    ) -> Reply:
        """`method path` with the bearer token (and `payload` as JSON); on a 401, once more with a new token."""
        for _ in range(2):
            reply = self._http.send(
                method,
                path,
                json=payload,
                headers={**(headers or {}), "Authorization": f"Bearer {self._access_token()}"},
            )
            if reply.status != 401:
                return reply
            logger.warning("zuora %s: HTTP 401; fetching a new token", reply.endpoint)
            self._token = None
        raise AuthenticationError(self.system, reply.endpoint, "HTTP 401 even with a new token", status=401)

    def _access_token(self) -> str:
        """The cached bearer token, renewed some minutes before it expires."""
        if self._token is None or self._clock() >= self._renew_at:
            form = {
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "grant_type": "client_credentials",
            }
            reply = self._http.send("POST", TOKEN_PATH, data=form)
            if 400 <= reply.status < 500:
                raise AuthenticationError(
                    self.system, reply.endpoint, reply.error().detail, status=reply.status
                )
            body = reply.json_object()
            if not body.get("access_token"):
                raise ExtractionError(self.system, reply.endpoint, "no access_token in the answer")
            expires_in = float(body.get("expires_in") or 3600)
            self._token = str(body["access_token"])
            self._renew_at = self._clock() + expires_in - min(TOKEN_RENEWAL_MARGIN, expires_in / 2)
        return self._token


def select_sql(
    obj: SourceObject, fields: tuple[str, ...], low: dt.datetime | None, high: dt.datetime | None
) -> str:
    """The Data Query statement reading `fields` of `obj` updated in [low, high), in a stable order."""
    columns = ", ".join(f'"{name.lower()}"' for name in fields)
    where = _where(obj.watermark.lower(), low, high)
    return f'SELECT {columns} FROM {obj.name.lower()}{where} ORDER BY "{obj.key.lower()}"'


def deleted_ids_sql(bounds: list[tuple[SourceObject, dt.datetime]]) -> str:
    """The Data Query statement reading, run with `readDeleted`, the ids of each object deleted at or after its
    bound, in one job: `object_name, id` rows, in a stable order."""
    parts = [
        f"SELECT '{obj.name}' AS object_name, \"{obj.key.lower()}\" AS id FROM {obj.name.lower()}"
        f"{_where(obj.watermark.lower(), since, None)}"
        for obj, since in bounds
    ]
    return " UNION ALL ".join(parts) + " ORDER BY object_name, id"


def _where(column: str, low: dt.datetime | None, high: dt.datetime | None) -> str:
    """`WHERE` bounds on `column`: at or after `low`, before `high` (or null, on the first window of a full read)."""
    if low is not None and high is not None:
        return f" WHERE {column} >= {_timestamp(low)} AND {column} < {_timestamp(high)}"
    if low is not None:
        return f" WHERE {column} >= {_timestamp(low)}"
    if high is not None:
        return f" WHERE ({column} < {_timestamp(high)} OR {column} IS NULL)"
    return ""


def _timestamp(moment: dt.datetime) -> str:
    """A Trino timestamp literal of `moment` in UTC, seconds floored."""
    return f"timestamp '{iso_utc(moment).replace('T', ' ').removesuffix('Z')}'"
