"""The sandbox CustomersDot database: a world's six tables in PostgreSQL, read through a read-only role."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from connectors.schema import Field, FieldType, SourceObject, objects_of
from sandbox.servers.faults import Fault, FaultInjector, FaultProfile
from sandbox.servers.postgres import PostgresServer
from sandbox.world import WorldFormatError, iter_records

SYSTEM = "customersdot"
DATABASE_FAULTS = (Fault.DROP, Fault.SLOW, Fault.RESTART)
PLANNED_READS = 5000
RESTART_MARKER = "lnr-sandbox-restart"
WATCH_SECONDS = 0.02
FAULTS_SQL = Path(__file__).with_name("customersdot_faults.sql")

_COLUMN_TYPES = {
    FieldType.STRING: "text",
    FieldType.MONEY: "numeric(18,2)",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.DATETIME: "timestamp with time zone",
}


def column_type(field: Field) -> str:
    """The PostgreSQL type of a declared column: bigint ids, integer counts, natural types otherwise."""
    if field.type is FieldType.INTEGER:
        return "bigint" if field.name in ("id", "uid") or field.name.endswith("_id") else "integer"
    return _COLUMN_TYPES[field.type]


class CustomersDotDatabase:
    """One world's CustomersDot tables in a database of their own on a PostgreSQL server.

    The tables have the columns of the world format with their natural types (plus a text column for
    any other field a world's records carry), a primary key on `id` and an index on (`updated_at`,
    `id`). A login role with SELECT only reads them; its password is made up here and handed out.
    """

    def __init__(self, server: PostgresServer, faults: FaultProfile | None = None) -> None:
        suffix = secrets.token_hex(4)
        self.server = server
        self.name = f"customers_db_{suffix}"
        self.role = f"lnr_reader_{suffix}"
        self.password = secrets.token_urlsafe(24)
        self.faults = faults if faults is not None and SYSTEM in faults.systems else None
        self.gated = self.faults is not None and bool(
            self.faults.rate_drop or self.faults.rate_slow or set(self.faults.script) & set(DATABASE_FAULTS)
        )
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """The database URL for the reader, without the password."""
        return f"postgresql://{self.role}@{self.server.host}:{self.server.port}/{self.name}?sslmode=disable"

    def create(self, world: Path) -> None:
        """Create the reader role and the database, and load `world` into it."""
        with self.server.connect() as admin:
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(self.role), sql.Literal(self._login_password())))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(self.name)))
            admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(self.name), sql.Identifier(self.role)))
        with self.server.connect(self.name) as con:
            con.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            if self.gated:
                con.execute(self._faults_sql())
                con.execute("CREATE SCHEMA store")
                self._plan_faults(con)
        self.load(world)
        if self.gated and Fault.RESTART in self.faults.script:
            self._stopping.clear()
            self._watcher = threading.Thread(target=self._watch_restarts, name="customersdot-restarts", daemon=True)
            self._watcher.start()

    def load(self, world: Path) -> None:
        """Replace the tables with `world`'s records, in one transaction."""
        with self.server.connect(self.name) as con, con.transaction():
            for obj in objects_of(SYSTEM):
                self._load_table(con, obj, world)

    def drop(self) -> None:
        """Remove the database and the reader role."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        if not self.server.running:
            return
        with self.server.connect() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(self.role)))

    def _login_password(self) -> str:
        """The role's real password: the one handed out, unless the faults say to refuse it."""
        refused = self.faults is not None and self.faults.refuse_password
        return secrets.token_urlsafe(24) if refused else self.password

    def _load_table(self, con: psycopg.Connection, obj: SourceObject, world: Path) -> None:
        """(Re)create one table and COPY the world's records into it."""
        records = list(iter_records(world, obj))
        declared = {f.name for f in obj.fields}
        extra = sorted({name for record in records for name in record} - declared)
        schema = "store" if self.gated else "public"
        table = sql.Identifier(schema, obj.name)
        columns = [sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(column_type(f))) for f in obj.fields]
        columns += [sql.SQL("{} text").format(sql.Identifier(name)) for name in extra]
        if schema == "store":
            con.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier("public", obj.name)))
        con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        con.execute(sql.SQL("CREATE TABLE {} ({}, PRIMARY KEY (id))").format(table, sql.SQL(", ").join(columns)))
        names = [*(f.name for f in obj.fields), *extra]
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(map(sql.Identifier, names)))
        try:
            with con.cursor().copy(copy_sql) as copy:
                for row in _rows(records, names, declared):
                    copy.write_row(row)
        except psycopg.Error as exc:
            detail = " ".join(str(exc).split())
            raise WorldFormatError(f"{obj.world_path} does not fit a PostgreSQL table: {detail}") from None
        con.execute(sql.SQL("CREATE INDEX ON {} (updated_at, id)").format(table))
        if schema == "store":
            con.execute(sql.SQL("CREATE VIEW {} AS SELECT * FROM {} WHERE sandbox.gate({})").format(
                sql.Identifier("public", obj.name), table, sql.Literal(obj.name)))
        con.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier("public", obj.name),
                                                               sql.Identifier(self.role)))
        con.execute(sql.SQL("ANALYZE {}").format(table))

    def _faults_sql(self) -> bytes:
        """The gate function and fault plan table, with this profile's fault row and slowness."""
        assert self.faults is not None
        text = FAULTS_SQL.read_text(encoding="utf-8")
        for key, value in {"fault_row": self.faults.fault_row, "slow_seconds": self.faults.slow_seconds,
                           "restart_marker": RESTART_MARKER}.items():
            text = text.replace("{" + key + "}", str(value))
        return text.encode()

    def _plan_faults(self, con: psycopg.Connection) -> None:
        """Draw the fault of each of the first reads from the seeded profile."""
        injector = FaultInjector(self.faults, SYSTEM)
        planned = [(n, fault.value) for n in range(1, PLANNED_READS + 1)
                   if (fault := injector.draw()) in DATABASE_FAULTS]
        with con.cursor() as cursor:
            cursor.executemany("INSERT INTO sandbox.planned_faults VALUES (%s, %s)", planned)

    def _watch_restarts(self) -> None:
        """Restart the server whenever a read asks for it (the `restart` fault)."""
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        while not self._stopping.wait(WATCH_SECONDS):
            try:
                with self.server.connect(connect_timeout=2) as admin:
                    while not self._stopping.wait(WATCH_SECONDS):
                        if admin.execute(query, [RESTART_MARKER]).fetchone()[0]:
                            break
                    else:
                        return
                self.server.restart()
            except psycopg.Error:
                continue


def _rows(records: list[dict[str, Any]], names: list[str], declared: set[str]) -> Iterator[tuple[Any, ...]]:
    """The COPY rows of `records`: declared fields as given (PostgreSQL reads them), others as text."""
    for record in records:
        yield tuple(_cell(record.get(name), name in declared) for name in names)


def _cell(value: Any, declared: bool) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, str) and not value.strip():
        return None
    if not declared and value is not None and not isinstance(value, str):
        return json.dumps(value)
    return value
