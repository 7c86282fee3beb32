"""The CustomersDot client: its PostgreSQL database (a read replica), read with psycopg 3 server-side cursors.

Each table read is one read-only REPEATABLE READ transaction whose named cursor is fetched in batches of
`page_size` rows, ordered by (`updated_at`, `id`). When the connection breaks or a statement is cancelled
(server restart, failover, recovery conflict, statement timeout), the read resumes after the last row it
yielded on a fresh connection, under the shared retry policy. Rows changed between the two snapshots may
be seen twice or missed; the next incremental run, which overlaps the previous one, corrects that.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from connectors.base import ClientBase
from connectors.connection import DEFAULT_CONNECTION, Connection
from connectors.errors import AuthenticationError, ExtractionError
from connectors.retry import TransientError, call_with_retries, log_retry
from connectors.schema import SourceObject

SCHEMA = "public"
APPLICATION_NAME = "lnr-audit"
IDS_PAGE_SIZE = 50_000
# Connection loss, shutdown or restart, recovery conflicts on a replica, cancelled statements, no free slot.
TRANSIENT_STATES = ("08", "57P01", "57P02", "57P03", "40001", "40P01", "57014", "53300", "55P03")
AUTHENTICATION_STATES = ("28P01", "28000")
AUTHENTICATION_WORDS = ("password authentication failed", "no password supplied", "authentication failed")
SETUP_WORDS = ("SSL", "does not exist", "invalid connection option")  # a connection that retries cannot fix

Position = tuple[Any, ...] | None


class CustomersDotClient(ClientBase):
    """Reads the CustomersDot tables from its PostgreSQL database as a read-only role; one instance per run."""

    system = "customersdot"

    def __init__(
        self,
        database_url: str,
        *,
        password: str | None = None,
        statement_timeout: float = 300.0,
        connection: Connection = DEFAULT_CONNECTION,
        page_size: int = 5000,
    ):
        try:
            params = conninfo_to_dict(database_url)
        except psycopg.Error:
            raise ValueError("the CustomersDot database URL is not a valid postgresql:// URL") from None
        self._secrets = [s for s in (password, params.get("password")) if s]
        self._host = f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"
        self._dbname = str(params.get("dbname") or params.get("user") or "")
        self._url = f"postgresql://{params.get('user') or ''}@{self._host}/{self._dbname}"
        self._conninfo = database_url
        self._password = password
        self._options = f"-c statement_timeout={max(1, round(statement_timeout * 1000))} -c TimeZone=UTC"
        self._connect_timeout = max(2, round(connection.timeout))
        self._policy = connection.policy
        self._connection: psycopg.Connection | None = None
        self.page_size = page_size
        self.queries = 0

    @property
    def api_calls(self) -> int:
        """Statements sent to the database so far (each cursor FETCH counts), retries included."""
        return self.queries

    def iter_pages(
        self, obj: SourceObject, since: dt.datetime | None = None, expected_rows: int | None = None
    ) -> Iterator[list[dict]]:
        """Non-empty batches of `obj`'s rows (declared columns present), those updated at or after `since`
        (one path whatever the size, so `expected_rows` changes nothing)."""
        self._check(obj)
        columns = self._columns(obj)
        mark = (columns.index(obj.watermark), columns.index(obj.key))

        def query(after: Position) -> tuple[sql.Composable, dict[str, Any]]:
            where, params = _keyset(obj, since, after)
            text = sql.SQL("SELECT {} FROM {} {} ORDER BY {}, {}").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.Identifier(SCHEMA, obj.name),
                where,
                sql.Identifier(obj.watermark),
                sql.Identifier(obj.key),
            )
            return text, params

        for rows in self._stream(obj, query, lambda row: (row[mark[0]], row[mark[1]]), self.page_size):
            yield [dict(zip(columns, row, strict=True)) for row in rows]

    def count(self, obj: SourceObject) -> int:
        """How many rows the table holds now."""
        self._check(obj)
        text = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(SCHEMA, obj.name))
        return self._one(obj, lambda con: con.execute(text).fetchone()[0])

    def iter_id_pages(self, obj: SourceObject) -> Iterator[list[int]]:
        """Non-empty batches of every id of the table, in id order."""
        self._check(obj)
        key = sql.Identifier(obj.key)

        def query(after: Position) -> tuple[sql.Composable, dict[str, Any]]:
            where = sql.SQL("WHERE {} > %(after)s").format(key) if after else sql.SQL("")
            text = sql.SQL("SELECT {} FROM {} {} ORDER BY {}").format(key, sql.Identifier(SCHEMA, obj.name), where, key)
            return text, {"after": after[0] if after else None}

        for rows in self._stream(obj, query, lambda row: (row[0],), IDS_PAGE_SIZE):
            yield [row[0] for row in rows]

    def ids_are_cheap(self, obj: SourceObject) -> bool:
        """True: an index-only scan of the ids costs a small share of reading the rows."""
        return True

    def close(self) -> None:
        """Close the database connection."""
        self._drop_connection()

    def _columns(self, obj: SourceObject) -> list[str]:
        """The declared columns the table has; the key and watermark must be among them."""
        text = "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
        present = self._one(obj, lambda con: {r[0] for r in con.execute(text, [SCHEMA, obj.name])})
        if not present:
            raise ExtractionError(self.system, self._endpoint(obj), "table not found (or not readable by this role)")
        missing = [name for name in (obj.key, obj.watermark) if name not in present]
        if missing:
            raise ExtractionError(self.system, self._endpoint(obj), f"required column missing: {', '.join(missing)}")
        return [name for name in obj.field_names if name in present]

    def _one(self, obj: SourceObject, run: Callable[[psycopg.Connection], Any]) -> Any:
        """`run` on the connection in a read-only transaction, retried under the shared policy."""

        def attempt() -> Any:
            try:
                con = self._connect()
                self.queries += 1
                try:
                    return run(con)
                finally:
                    con.rollback()
            except psycopg.Error as exc:
                raise self._failure(obj, exc) from exc

        return call_with_retries(self._policy, self.system, self._endpoint(obj), attempt)

    def _stream(
        self,
        obj: SourceObject,
        query: Callable[[Position], tuple[sql.Composable, dict[str, Any]]],
        position: Callable[[tuple[Any, ...]], tuple[Any, ...]],
        batch: int,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Batches of a cursor over `query(after)`, resumed after the last row yielded when a read fails."""
        after: Position = None
        attempt = 1
        while True:
            try:
                for rows in self._fetch(*query(after), batch):
                    after = position(rows[-1])
                    attempt = 1
                    yield rows
                return
            except psycopg.Error as exc:
                failure = self._failure(obj, exc)
                if attempt >= self._policy.max_attempts:
                    raise ExtractionError(
                        self.system, self._endpoint(obj), f"gave up after {attempt} attempts; last: {failure.detail}"
                    ) from exc
                delay = self._policy.delay(attempt)
                log_retry(self.system, self._endpoint(obj), failure.detail, attempt, self._policy, delay)
                time.sleep(delay)
                attempt += 1

    def _fetch(self, text: sql.Composable, params: dict[str, Any], batch: int) -> Iterator[list[tuple[Any, ...]]]:
        """The non-empty batches of one named cursor in a read-only transaction, closed after."""
        con = self._connect()
        try:
            cursor = con.cursor(name="lnr_audit_read")
            self.queries += 1
            cursor.execute(text, params)
            while True:
                self.queries += 1
                rows = cursor.fetchmany(batch)
                if not rows:
                    return
                yield rows
        finally:
            if not con.closed:
                con.rollback()

    def _connect(self) -> psycopg.Connection:
        """The open connection, made when there is none (read-only, REPEATABLE READ, with a statement timeout)."""
        if self._connection is not None and not self._connection.closed:
            return self._connection
        options: dict[str, Any] = {
            "application_name": APPLICATION_NAME,
            "connect_timeout": self._connect_timeout,
            "options": self._options,
        }
        if self._password is not None:
            options["password"] = self._password
        con = psycopg.connect(self._conninfo, **options)
        con.read_only = True
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self._connection = con
        return con

    def _drop_connection(self) -> None:
        con, self._connection = self._connection, None
        if con is not None:
            con.close()

    def _failure(self, obj: SourceObject, exc: psycopg.Error) -> TransientError:
        """A transient failure to retry (the connection is dropped), or raise the error that ends the read."""
        self._drop_connection()
        state = exc.sqlstate or ""
        detail = self._clean(f"{state + ': ' if state else ''}{str(exc).strip() or type(exc).__name__}")
        if state in AUTHENTICATION_STATES or any(word in str(exc) for word in AUTHENTICATION_WORDS):
            raise AuthenticationError(self.system, self._endpoint(obj), detail) from exc
        unreachable = not state and isinstance(exc, psycopg.OperationalError)
        if state.startswith(TRANSIENT_STATES) or (unreachable and not any(w in str(exc) for w in SETUP_WORDS)):
            return TransientError(detail)
        raise ExtractionError(self.system, self._endpoint(obj), detail) from exc

    def _endpoint(self, obj: SourceObject) -> str:
        return f"{self._host}/{self._dbname} {SCHEMA}.{obj.name}"

    def _clean(self, text: str) -> str:
        """`text` with any secret replaced, on one line."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())


def _keyset(obj: SourceObject, since: dt.datetime | None, after: Position) -> tuple[sql.Composable, dict[str, Any]]:
    """The WHERE clause of a read from `since`, past the (watermark, key) `after` when resuming."""
    watermark, key = sql.Identifier(obj.watermark), sql.Identifier(obj.key)
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {}
    if since is not None:
        conditions.append(sql.SQL("{} >= %(since)s").format(watermark))
        params["since"] = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
    if after is not None:
        params["mark"], params["key"] = after
        if after[0] is None:
            conditions.append(sql.SQL("{} IS NULL AND {} > %(key)s").format(watermark, key))
        else:
            conditions.append(sql.SQL("(({w}, {k}) > (%(mark)s, %(key)s) OR {w} IS NULL)").format(w=watermark, k=key))
    if not conditions:
        return sql.SQL(""), params
    return sql.SQL("WHERE ") + sql.SQL(" AND ").join(conditions), params
