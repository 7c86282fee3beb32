"""The Zuora client: OAuth client credentials and ZOQL action queries (query, queryMore), over httpx.

A query locator can expire in the middle of a long extraction (Zuora forgets it after 15 minutes
of inactivity): `queryMore` then answers 400 or 404 naming the locator, and the query runs again
from the start, past the records already yielded (see `connectors.paging`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

from connectors.base import ClientBase, iso_utc
from connectors.errors import AuthenticationError, ExtractionError
from connectors.http_json import JsonHttp, Reply
from connectors.paging import LocatorExpired, restart_on_expiry
from connectors.retry import RetryPolicy
from connectors.schema import SourceObject

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"
QUERY_PATH = "/v1/action/query"
QUERY_MORE_PATH = "/v1/action/queryMore"
TOKEN_RENEWAL_MARGIN = 300.0


class ZuoraClient(ClientBase):
    """Reads Zuora objects with ZOQL; one instance (one connection pool, one token) per run."""

    system = "zuora"

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        verify: bool | str = True,
        page_size: int = 2000,
    ):
        self._url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.page_size = page_size
        self._policy = RetryPolicy(max_attempts, backoff_base, backoff_max)
        self._http = JsonHttp(self.system, self._url, self._policy, timeout=timeout, verify=verify)
        self._token: str | None = None
        self._renew_at = 0.0

    @property
    def api_calls(self) -> int:
        """HTTP requests made so far, retries and token calls included."""
        return self._http.calls

    def iter_pages(self, obj: SourceObject, since: dt.datetime | None = None) -> Iterator[list[dict]]:
        """Non-empty pages of `obj`'s records (null fields absent), updated at or after `since`."""
        self._check(obj)
        zoql = f"select {', '.join(obj.field_names)} from {obj.name}"
        if since is not None:
            zoql += f" where {obj.watermark} >= '{iso_utc(since)}'"
        return self._query_pages(zoql)

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
        for page in self._query_pages(f"select Id from {obj.name}"):
            yield [record["Id"] for record in page]

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _query_pages(self, zoql: str) -> Iterator[list[dict]]:
        """Non-empty pages of one ZOQL query, run again if its locator expires."""
        return restart_on_expiry(partial(self._run_query, zoql), self.system, self._policy.max_attempts)

    def _run_query(self, zoql: str) -> Iterator[list[dict]]:
        """The record pages of one run of a ZOQL query; LocatorExpired when Zuora forgets the locator."""
        reply = self._post(QUERY_PATH, {"queryString": zoql, "conf": {"batchSize": self.page_size}})
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
        for _ in range(2):
            reply = self._http.send(
                "POST", path, json=payload, headers={"Authorization": f"Bearer {self._access_token()}"}
            )
            if reply.status != 401:
                return reply
            logger.warning("zuora %s: HTTP 401; fetching a new token", reply.endpoint)
            self._token = None
        raise AuthenticationError(self.system, reply.endpoint, "HTTP 401 even with a new token", status=401)

    def _access_token(self) -> str:
        """The cached bearer token, renewed some minutes before it expires."""
        if self._token is None or time.monotonic() >= self._renew_at:
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
            self._renew_at = time.monotonic() + expires_in - min(TOKEN_RENEWAL_MARGIN, expires_in / 2)
        return self._token
