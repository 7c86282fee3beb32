"""The sandbox CustomersDot admin export API: keyset-paginated tables and id lists, GitLab style.

`updated_after` keeps rows whose `updated_at` is at or after the given instant (`>=`), so a client
that passes its last watermark sees the rows stamped exactly at it again rather than missing them.
"""

from __future__ import annotations

import bisect
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from connectors.schema import parse_datetime
from sandbox.servers.faults import FaultProfile
from sandbox.servers.http import Request, Response, json_response
from sandbox.servers.service import RateWindow, Route, Service, same_secret
from sandbox.servers.store import Table, WorldStore

MAX_PER_PAGE = 100
MAX_IDS_PER_PAGE = 10000
_TABLE = r"/api/v1/admin/(?P<table>[A-Za-z_]+)"


class BadParameter(ValueError):
    """A query parameter the API refuses."""


@dataclass(frozen=True)
class _Page:
    """The keyset page a request asks for."""

    per_page: int
    id_after: int | None
    updated_after: datetime | None


class CustomersDotService(Service):
    """`GET /api/v1/admin/<table>` and `GET /api/v1/admin/<table>/ids` over one world."""

    system = "customersdot"
    bare_429 = True

    def __init__(self, store: WorldStore, faults: FaultProfile | None, stopping: threading.Event) -> None:
        super().__init__(store, faults, stopping)
        self.admin_email = f"sandbox-admin-{secrets.token_hex(4)}@example.com"
        self.admin_token = secrets.token_urlsafe(24)
        self.window = RateWindow(limit=2000, seconds=60)
        self.routes = [
            Route("GET", _TABLE, self._rows),
            Route("GET", _TABLE + "/ids", self._ids),
        ]

    def authenticate(self, request: Request) -> str | None:
        """The admin email of a request whose `X-Admin-Email` and `X-Admin-Token` are right."""
        email = request.headers.get("X-Admin-Email")
        if same_secret(email, self.admin_email) and same_secret(
            request.headers.get("X-Admin-Token"), self.admin_token
        ):
            return email
        return None

    def error(self, status: int) -> Response:
        """GitLab's `{"message": "<status> <reason>"}` body."""
        return _message(status, f"{status} {HTTPStatus(status).phrase}")

    def limit_headers(self, status: int) -> list[tuple[str, str]]:
        """GitLab's `RateLimit-*` headers (reset as a Unix time)."""
        limit, remaining, reset_at = self.window.hit()
        return [
            ("RateLimit-Limit", str(limit)),
            ("RateLimit-Remaining", str(0 if status == 429 else remaining)),
            ("RateLimit-Reset", str(int(reset_at))),
        ]

    def _rows(self, request: Request, match: re.Match[str]) -> Response:
        return self._serve(request, match["table"], default_per_page=20, max_per_page=MAX_PER_PAGE, ids=False)

    def _ids(self, request: Request, match: re.Match[str]) -> Response:
        return self._serve(
            request, match["table"], default_per_page=1000, max_per_page=MAX_IDS_PER_PAGE, ids=True
        )

    def _serve(
        self, request: Request, name: str, *, default_per_page: int, max_per_page: int, ids: bool
    ) -> Response:
        table = self.store.table(self.system, name)
        if table is None:
            return self.error(404)
        try:
            page = _page(request, default_per_page, max_per_page)
        except BadParameter as exc:
            return _message(400, f"400 Bad request - {exc}")
        keys, rows = _keyset(table, page.updated_after)
        start = bisect.bisect_right(keys, page.id_after) if page.id_after is not None else 0
        chosen = rows[start : start + page.per_page]
        headers = [("X-Total", str(len(rows)))]
        if start + page.per_page < len(rows):
            headers.append(
                ("Link", f'<{self._next_url(request, keys[start + page.per_page - 1])}>; rel="next"')
            )
        if ids:
            return json_response(200, [table.records[i][table.obj.key] for i in chosen], headers)
        return json_response(200, [_full_record(table, table.records[i]) for i in chosen], headers)

    def _next_url(self, request: Request, last_id: int) -> str:
        params = {k: v for k, v in request.query.items() if k != "id_after"}
        params["id_after"] = [str(last_id)]
        return f"{self.base_url}{request.path}?{urlencode(params, doseq=True)}"


def _page(request: Request, default_per_page: int, max_per_page: int) -> _Page:
    for name, allowed in (("pagination", "keyset"), ("order_by", "id"), ("sort", "asc")):
        if request.param(name) not in (None, allowed):
            raise BadParameter(f"{name} does not have a valid value")
    per_page = _integer(request, "per_page")
    if per_page is not None and per_page < 1:
        raise BadParameter("per_page does not have a valid value")
    updated_after = request.param("updated_after")
    try:
        after = parse_datetime(updated_after) if updated_after is not None else None
    except ValueError:
        raise BadParameter("updated_after is invalid") from None
    return _Page(min(per_page or default_per_page, max_per_page), _integer(request, "id_after"), after)


def _integer(request: Request, name: str) -> int | None:
    text = request.param(name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise BadParameter(f"{name} is invalid") from None


def _keyset(table: Table, updated_after: datetime | None) -> tuple[list[int], list[int]]:
    """The ids (ascending) of the rows updated at or after `updated_after`, and those rows' indices."""

    def compute() -> tuple[list[int], list[int]]:
        ids = table.column(table.obj.key)
        stamps = table.column(table.obj.watermark)
        chosen = sorted(
            (ids[i], i)
            for i in range(len(ids))
            if ids[i] is not None
            and (updated_after is None or (stamps[i] is not None and stamps[i] >= updated_after))
        )
        return [key for key, _ in chosen], [i for _, i in chosen]

    return table.memo(("keyset", updated_after), compute)


def _full_record(table: Table, record: dict[str, Any]) -> dict[str, Any]:
    return {**{name: None for name in table.obj.field_names}, **record}


def _message(status: int, message: str) -> Response:
    return json_response(status, {"message": message})
