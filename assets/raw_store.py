"""The raw layer in DuckDB: typed tables per source object, atomic snapshot swaps, watermarks and quarantine."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from checks.sessions import in_audit_session
from checks.tables import has_table
from checks.transaction import transaction
from connectors.frames import POLARS_TYPES
from connectors.schema import (
    SOURCE_OBJECTS,
    SYSTEMS,
    CoercionError,
    SourceObject,
    coerce_record,
    object_label,
)

# DuckDB's default limit is 80% of the machine's memory, and it keeps every block it read or wrote cached until then:
# the memory of a night grows with the data. Held at a limit, cached blocks are evicted and the joins and aggregates
# that need more spill to `<database>.tmp`. Measured on the staging and rules of 100,000 customers (2.8M raw rows):
# DuckDB's share of the peak is about 600 MB at 1GB, 290 MB at 256MB, for about 5% more CPU time; at 10,000
# customers it stays under 256MB anyway, so a night's peak memory barely grows with the tenant. Operators that
# cannot spill get the limit doubled where they need it (checks/memory_headroom.py).
DEFAULT_MEMORY_LIMIT = "256MB"
# meta.changed_keys: the keys whose rows incremental loads added or changed since the table's rows were last validated
# (the validation consumes them); a full load replaces them by one row without a key: the whole table changed.
# meta.raw_changes: per table, an id drawn afresh by each load that changed its rows (an audit whose inputs still
# carry the same ids can reuse what it built from them).
LOAD_SCHEMA = "load"  # where a load stages its rows before the swap (on disk, not in memory)
META_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS load;
CREATE TABLE IF NOT EXISTS meta.watermarks (
    object VARCHAR PRIMARY KEY, watermark TIMESTAMPTZ, row_count BIGINT, loaded_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS meta.quarantine (
    object VARCHAR, record_key VARCHAR, reason VARCHAR, record JSON, quarantined_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS meta.reconciliation (
    object VARCHAR PRIMARY KEY, reconciled_at TIMESTAMPTZ, full_loaded_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS meta.held_objects (
    object VARCHAR PRIMARY KEY, previous_rows BIGINT, source_rows BIGINT, reason VARCHAR, held_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS meta.raw_nights (
    object VARCHAR PRIMARY KEY, as_of DATE, run_id VARCHAR, loaded_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS meta.changed_keys (object VARCHAR, record_key VARCHAR);
CREATE TABLE IF NOT EXISTS meta.raw_changes (object VARCHAR PRIMARY KEY, change_id UUID, changed_at TIMESTAMPTZ);
"""


def quoted(name: str) -> str:
    """`name` as a quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def table_ddl(obj: SourceObject, table: str) -> str:
    """The CREATE TABLE statement of `obj`'s columns under the name `table`."""
    columns = ", ".join(f"{quoted(f.name)} {f.type.value}" for f in obj.fields)
    return f"CREATE TABLE IF NOT EXISTS {table} ({columns})"


def frame_schema(obj: SourceObject) -> dict[str, Any]:
    """The polars schema of `obj`'s rows."""
    return {f.name: POLARS_TYPES[f.type] for f in obj.fields}


@dataclass(frozen=True)
class RawNight:
    """The night a raw table holds: the audit date and the run of its last successful load."""

    as_of: dt.date
    run_id: str


@dataclass
class TypedBatch:
    """One page of records read as typed rows, with the records that could not be read."""

    frame: pl.DataFrame
    rejected: list[tuple[dict[str, Any], str]]


def type_batch(obj: SourceObject, records: Iterable[dict[str, Any]]) -> TypedBatch:
    """Read `records` as `obj`'s typed rows; unreadable records are set aside with the reason."""
    rows: list[dict[str, Any]] = []
    rejected: list[tuple[dict[str, Any], str]] = []
    for record in records:
        try:
            rows.append(coerce_record(obj, record))
        except CoercionError as exc:
            rejected.append((record, str(exc)))
    return TypedBatch(pl.DataFrame(rows, schema=frame_schema(obj), orient="row"), rejected)


def connect(
    path: str, *, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """A connection to the database file at `path`, in the audit's session settings, DuckDB's memory held to
    `memory_limit`."""
    con = in_audit_session(duckdb.connect(path, read_only=read_only))
    con.execute("SET memory_limit = ?", [memory_limit])
    return con


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schemas, every declared raw table, and the meta tables, where missing."""
    for system in SYSTEMS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS raw_{system}")
    for obj in SOURCE_OBJECTS:
        con.execute(table_ddl(obj, obj.table))
    con.execute(META_DDL)


class SnapshotLoad:
    """One object's load: batches go to a private table, then `commit_*` swaps them in atomically.

    With a `night`, the swap also records that night as the one the table holds.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, obj: SourceObject, night: RawNight | None = None):
        self.con = con
        self.obj = obj
        self.night = night
        self.pending = f"{LOAD_SCHEMA}.{quoted(obj.system + '__' + obj.name.lower())}"
        self.ids = f"{LOAD_SCHEMA}.{quoted(obj.system + '__' + obj.name.lower() + '__ids')}"
        self.deleted = f"{LOAD_SCHEMA}.{quoted(obj.system + '__' + obj.name.lower() + '__deleted')}"
        self.rows = 0
        self.rejected: list[tuple[dict[str, Any], str]] = []
        create_raw_tables(con)
        self.discard()
        con.execute(table_ddl(obj, self.pending))
        con.execute(f"CREATE TABLE {self.ids} (id {obj.field(obj.key).type.value})")
        con.execute(f"CREATE TABLE {self.deleted} (id {obj.field(obj.key).type.value})")

    def add(self, records: Iterable[dict[str, Any]]) -> int:
        """Type one page of records and stage it; returns the number of rows staged."""
        batch = type_batch(self.obj, records)
        self.rejected.extend(batch.rejected)
        if batch.frame.height:
            frame = batch.frame  # noqa: F841 - read by DuckDB's replacement scan
            self.con.execute(f"INSERT INTO {self.pending} SELECT * FROM frame")
        self.rows += batch.frame.height
        return batch.frame.height

    def add_source_ids(self, ids: Iterable[Any]) -> None:
        """Record ids that exist at the source now (for deletion reconciliation)."""
        self._add_ids(self.ids, ids)

    def add_deleted_ids(self, ids: Iterable[Any]) -> None:
        """Record ids the source reports deleted; the incremental commit removes them."""
        self._add_ids(self.deleted, ids)

    def deleted_rows(self) -> int:
        """How many snapshot rows have a recorded deleted id."""
        key = quoted(self.obj.key)
        sql = f"SELECT count(*) FROM {self.obj.table} WHERE {key} IN (SELECT id FROM {self.deleted})"
        return self.con.execute(sql).fetchall()[0][0]

    def _add_ids(self, table: str, ids: Iterable[Any]) -> None:
        key_type = self.obj.field(self.obj.key).type
        frame = pl.DataFrame({"id": list(ids)}, schema={"id": POLARS_TYPES[key_type]})  # noqa: F841
        self.con.execute(f"INSERT INTO {table} SELECT id FROM frame")

    def resolve_duplicates(self) -> int:
        """Keep one staged row per key (the latest by watermark, ties by the whole row); quarantine the others."""
        key = quoted(self.obj.key)
        if not self.con.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM {self.pending}").fetchall()[0][0]:
            return 0
        order = ", ".join(f"{quoted(name)} DESC NULLS LAST" for name in (self.obj.watermark, *self.obj.field_names))
        ranked = (
            f"SELECT rowid AS staged_row, row_number() OVER (PARTITION BY {key} ORDER BY {order}) AS rank, "
            f"count(*) OVER (PARTITION BY {key}) AS copies FROM {self.pending}"
        )
        losers = self.con.execute(
            f"SELECT p.*, r.copies FROM {self.pending} AS p JOIN ({ranked}) AS r ON p.rowid = r.staged_row "
            f"WHERE r.rank > 1 ORDER BY r.staged_row"
        )
        names = [column[0] for column in losers.description]
        for values in losers.fetchall():
            record = dict(zip(names, values, strict=True))
            copies = record.pop("copies")
            reason = (
                f"duplicate id {record[self.obj.key]}: {copies} records at the source; "
                f"kept the one with the latest {self.obj.watermark}"
            )
            self.rejected.append((record, reason))
        dropped = self.con.execute(
            f"DELETE FROM {self.pending} WHERE rowid IN (SELECT staged_row FROM ({ranked}) WHERE rank > 1)"
        ).fetchall()[0][0]
        self.rows -= dropped
        return dropped

    def rows_after_commit(self, *, incremental: bool, reconcile: bool) -> int:
        """The snapshot's row count if the staged rows were committed now (full, or merged and reconciled)."""
        key = quoted(self.obj.key)
        if not incremental:
            return self.con.execute(f"SELECT count(*) FROM {self.pending}").fetchall()[0][0]
        kept = f" AND {key} IN (SELECT id FROM {self.ids})" if reconcile else ""
        union = f"SELECT {key} FROM {self.obj.table} UNION SELECT {key} FROM {self.pending}"
        gone = f"WHERE {key} NOT IN (SELECT id FROM {self.deleted})"
        return self.con.execute(f"SELECT count(*) FROM ({union}) {gone}{kept}").fetchall()[0][0]

    def commit_full(self, loaded_at: dt.datetime, *, validate_whole: bool = True) -> int:
        """Replace the snapshot with the staged rows in one transaction; returns the new row count.

        The whole table is marked for validation, unless `validate_whole` is false: then, as for a merge, only the
        keys of rows that are new or differ from the previous snapshot's (a routine full read of a small object
        mostly reads again what it held)."""
        table = self.obj.table
        with transaction(self.con):
            if validate_whole:
                self.con.execute("DELETE FROM meta.changed_keys WHERE object = ?", [object_label(self.obj)])
                self.con.execute("INSERT INTO meta.changed_keys VALUES (?, NULL)", [object_label(self.obj)])
            changed = validate_whole or self._note_changed_keys() > 0
            previous = self.con.execute(f"DELETE FROM {table}").fetchall()[0][0]
            loaded = self.con.execute(f"INSERT INTO {table} SELECT * FROM {self.pending}").fetchall()[0][0]
            self._finish(loaded_at, changed=changed or previous != loaded)
            self._record_reconciliation(loaded_at, full=True)
        return self.row_count()

    def commit_incremental(self, loaded_at: dt.datetime, *, reconcile: bool) -> int:
        """Merge the staged changes, drop the ids reported deleted (and those gone when reconciling), atomically."""
        table, key = self.obj.table, quoted(self.obj.key)
        with transaction(self.con):
            changed = self._note_changed_keys() > 0
            self.con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {self.pending})")
            self.con.execute(f"INSERT INTO {table} SELECT * FROM {self.pending}")
            changed |= self._deleted(f"{key} IN (SELECT id FROM {self.deleted})")
            if reconcile:
                changed |= self._deleted(f"{key} NOT IN (SELECT id FROM {self.ids})")
                self._record_reconciliation(loaded_at, full=False)
            self._finish(loaded_at, changed=changed)
        return self.row_count()

    def _note_changed_keys(self) -> int:
        """Note in meta.changed_keys the keys of the staged rows that are new or differ from the snapshot's row
        (a record read again unchanged, as the watermark's overlap does every night, changed nothing); how many."""
        table, key = self.obj.table, quoted(self.obj.key)
        changed = (
            f"SELECT * FROM {self.pending} EXCEPT "
            f"SELECT * FROM {table} WHERE {key} IN (SELECT {key} FROM {self.pending})"
        )
        return self.con.execute(
            f"INSERT INTO meta.changed_keys SELECT DISTINCT ?, {key}::VARCHAR FROM ({changed}) WHERE {key} IS NOT NULL",
            [object_label(self.obj)],
        ).fetchall()[0][0]

    def _deleted(self, condition: str) -> bool:
        """Delete the snapshot's rows that meet `condition`; whether there were any."""
        return self.con.execute(f"DELETE FROM {self.obj.table} WHERE {condition}").fetchall()[0][0] > 0

    def hold(self, held_at: dt.datetime, source_rows: int, reason: str) -> int:
        """Keep the previous snapshot instead of the staged rows, recording why; returns the kept row count."""
        previous = self.row_count()
        self.con.execute(
            "INSERT OR REPLACE INTO meta.held_objects VALUES (?, ?, ?, ?, ?)",
            [object_label(self.obj), previous, source_rows, reason, held_at],
        )
        self.discard()
        return previous

    def discard(self) -> None:
        """Drop the staged rows; the snapshot stays as it was."""
        self.con.execute(f"DROP TABLE IF EXISTS {self.pending}")
        self.con.execute(f"DROP TABLE IF EXISTS {self.ids}")
        self.con.execute(f"DROP TABLE IF EXISTS {self.deleted}")

    def staged_new_ids(self) -> int:
        """How many staged keys are not yet in the snapshot."""
        key = quoted(self.obj.key)
        sql = (
            f"SELECT count(DISTINCT {key}) FROM {self.pending} WHERE {key} NOT IN (SELECT {key} FROM {self.obj.table})"
        )
        return self.con.execute(sql).fetchall()[0][0]

    def unseen_source_ids(self) -> int:
        """How many recorded source ids are neither in the snapshot nor staged (records the increment missed)."""
        key = quoted(self.obj.key)
        sql = (
            f"SELECT count(*) FROM {self.ids} WHERE id NOT IN (SELECT {key} FROM {self.obj.table}) "
            f"AND id NOT IN (SELECT {key} FROM {self.pending})"
        )
        return self.con.execute(sql).fetchall()[0][0]

    def row_count(self) -> int:
        """The number of rows in the snapshot."""
        return self.con.execute(f"SELECT count(*) FROM {self.obj.table}").fetchall()[0][0]

    def _record_reconciliation(self, at: dt.datetime, *, full: bool) -> None:
        """Note that the snapshot's ids were matched against the source's at `at` (by a full load if `full`)."""
        self.con.execute(
            "INSERT INTO meta.reconciliation VALUES ($object, $at, CASE WHEN $full THEN $at END) "
            "ON CONFLICT (object) DO UPDATE SET reconciled_at = excluded.reconciled_at, "
            "full_loaded_at = coalesce(excluded.full_loaded_at, meta.reconciliation.full_loaded_at)",
            {"object": object_label(self.obj), "at": at, "full": full},
        )

    def _finish(self, loaded_at: dt.datetime, *, changed: bool) -> None:
        """Record the new watermark, a new change id if the rows `changed` (or none was drawn yet), and this load's
        quarantine; release any hold, drop the staged rows."""
        label = object_label(self.obj)
        watermark = quoted(self.obj.watermark)
        self.con.execute("DELETE FROM meta.held_objects WHERE object = ?", [label])
        keep = "IGNORE" if not changed else "REPLACE"  # a first load draws an id even when its table stays empty
        self.con.execute(f"INSERT OR {keep} INTO meta.raw_changes VALUES (?, uuid(), ?)", [label, loaded_at])
        self.con.execute(
            f"INSERT OR REPLACE INTO meta.watermarks SELECT ?, max({watermark}), count(*), ? FROM {self.obj.table}",
            [label, loaded_at],
        )
        if self.night is not None:
            self.con.execute(
                "INSERT OR REPLACE INTO meta.raw_nights VALUES (?, ?, ?, ?)",
                [label, self.night.as_of, self.night.run_id, loaded_at],
            )
        self.con.execute("DELETE FROM meta.quarantine WHERE object = ?", [label])
        for record, reason in self.rejected:
            key = record.get(self.obj.key)
            self.con.execute(
                "INSERT INTO meta.quarantine VALUES (?, ?, ?, ?, ?)",
                [label, None if key is None else str(key), reason, json.dumps(record, default=str), loaded_at],
            )
        self.discard()


def stored_watermark(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> dt.datetime | None:
    """The highest watermark value of `obj`'s last successful load, or None before the first (tables must exist)."""
    rows = con.execute("SELECT watermark FROM meta.watermarks WHERE object = ?", [object_label(obj)]).fetchall()
    return rows[0][0] if rows else None


def has_loaded(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> bool:
    """Whether a load of `obj` was ever swapped in (tables must exist)."""
    rows = con.execute("SELECT count(*) FROM meta.watermarks WHERE object = ?", [object_label(obj)]).fetchall()
    return rows[0][0] > 0


def quarantined(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> list[tuple[str | None, str]]:
    """The (record key, reason) pairs quarantined by `obj`'s last load."""
    rows = con.execute(
        "SELECT record_key, reason FROM meta.quarantine WHERE object = ? ORDER BY record_key",
        [object_label(obj)],
    )
    return rows.fetchall()


@dataclass(frozen=True)
class Reconciliation:
    """When an object's ids were last matched against the source's, and when it was last loaded in full."""

    reconciled_at: dt.datetime | None
    full_loaded_at: dt.datetime | None


def last_reconciliation(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> Reconciliation:
    """When `obj` was last reconciled and last loaded in full (None: never)."""
    rows = con.execute(
        "SELECT reconciled_at, full_loaded_at FROM meta.reconciliation WHERE object = ?", [object_label(obj)]
    ).fetchall()
    return Reconciliation(*rows[0]) if rows else Reconciliation(None, None)


def raw_nights(con: duckdb.DuckDBPyConnection) -> dict[str, RawNight | None]:
    """Per declared object (`system/Object`), the night its raw table holds; None where no load recorded one."""
    present = has_table(con, "meta", "raw_nights")
    rows = con.execute("SELECT object, as_of, run_id FROM meta.raw_nights").fetchall() if present else []
    recorded = {label: RawNight(as_of, run_id) for label, as_of, run_id in rows}
    return {object_label(obj): recorded.get(object_label(obj)) for obj in SOURCE_OBJECTS}
