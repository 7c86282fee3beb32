"""A raw table's validation night by night: the key in SQL over the whole table, the row expectations with
great-expectations over the rows the loads changed since the last validation, their failures kept per row."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from checks.expectations import ExpectationOutcome, RowFailure, expectations_for, key_outcomes, table_names
from checks.sql_files import sql
from checks.transaction import transaction
from checks.validation_process import VALIDATION_PROCESS, PendingFailures
from connectors.schema import SourceObject, object_label

# Rows handed to great-expectations at a time: memory stays flat whatever the table's size.
VALIDATION_CHUNK_ROWS = 50_000
# Chunks handed to the validation process and not yet back, at most.
IN_FLIGHT_CHUNKS = 2
FAILURE_COLUMNS = ("expectation", "column", "record_key", "value")


@dataclass(frozen=True)
class RawValidation:
    """Every expectation's outcome on a raw table, and how many of its rows great-expectations read tonight."""

    outcomes: list[ExpectationOutcome]
    rows_validated: int
    whole: bool


def validate_tables(
    con: duckdb.DuckDBPyConnection, objects: Iterable[SourceObject], chunk_rows: int = VALIDATION_CHUNK_ROWS
) -> Iterator[tuple[SourceObject, RawValidation]]:
    """Every expectation of each of `objects`' raw tables, on all their rows, table by table.

    The key's presence and uniqueness are counted in SQL over the whole table. The row expectations run in
    great-expectations (in the validation process, if extraction started it), chunk by chunk, on the rows
    incremental loads merged since the last validation (on every row after a full load, or the first time); their
    failures are kept per row in `meta.row_failures`, so a failing row that no load touched since is still counted,
    and a row updated or deleted since no longer is. While the validation process checks a table's rows, this one
    reads the next table's and records the table before; at most `IN_FLIGHT_CHUNKS` chunks wait for it.
    """
    con.execute(sql("row_failures_schema"))
    in_flight: deque[tuple[_TableRun, PendingFailures]] = deque()
    previous: _TableRun | None = None
    for obj in objects:
        table = _TableRun(obj, _validated_whole(con, obj))
        for batch in _rows_to_validate(con, table, chunk_rows):
            while len(in_flight) >= IN_FLIGHT_CHUNKS:
                _collect(in_flight.popleft())
            table.rows += batch.num_rows
            in_flight.append((table, VALIDATION_PROCESS.submit(obj, batch)))
        if previous is not None:
            yield previous.obj, _finish(con, previous, in_flight)
        previous = table
    if previous is not None:
        yield previous.obj, _finish(con, previous, in_flight)


@dataclass
class _TableRun:
    """One raw table being validated: whether whole, the rows read so far and the failures back so far."""

    obj: SourceObject
    whole: bool
    rows: int = 0
    failures: list[RowFailure] = field(default_factory=list)


def _validated_whole(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> bool:
    """Whether `obj`'s raw table is validated whole tonight: never validated, or fully loaded since."""
    ((whole,),) = con.execute(sql("row_failures_whole"), {"object": object_label(obj)}).fetchall()
    return whole


def _rows_to_validate(con: duckdb.DuckDBPyConnection, table: _TableRun, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    """The rows of `table` to validate, `chunk_rows` at a time."""
    params = {"object": object_label(table.obj), "whole": table.whole}
    rows = con.sql(sql("row_failures_rows").format(**table_names(table.obj)), params=params)
    yield from rows.to_arrow_reader(chunk_rows)


def _collect(submitted: tuple[_TableRun, PendingFailures]) -> None:
    """Add the failures of one chunk, once back, to its table's."""
    table, pending = submitted
    table.failures.extend(pending.result())


def _finish(
    con: duckdb.DuckDBPyConnection, table: _TableRun, in_flight: deque[tuple[_TableRun, PendingFailures]]
) -> RawValidation:
    """Keep `table`'s failures, its chunks all back (they lead `in_flight`), and its outcomes over the whole table."""
    while in_flight and in_flight[0][0] is table:
        _collect(in_flight.popleft())
    obj, label = table.obj, object_label(table.obj)
    with transaction(con):
        con.execute(
            sql("row_failures_forget").format(**table_names(obj)),
            {"object": label, "whole": table.whole},
        )
        _record(con, label, table.failures)
        con.execute("DELETE FROM meta.changed_keys WHERE object = ?", [label])
        con.execute("INSERT OR IGNORE INTO meta.validated_objects VALUES (?)", [label])
    return RawValidation(key_outcomes(con, obj) + row_outcomes(con, obj), table.rows, table.whole)


def awaits_validation(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> bool:
    """Whether `obj`'s raw table has rows its next validation hands to great-expectations."""
    con.execute(sql("row_failures_schema"))
    ((awaits,),) = con.execute(sql("rows_await_validation"), {"object": object_label(obj)}).fetchall()
    return awaits


def _record(con: duckdb.DuckDBPyConnection, label: str, failures: list[RowFailure]) -> None:
    """Keep `failures` as the failures of their rows."""
    if not failures:
        return
    frame = pa.table({name: [getattr(f, name) for f in failures] for name in FAILURE_COLUMNS})  # noqa: F841
    con.execute('INSERT INTO meta.row_failures SELECT ?, expectation, "column", record_key, value FROM frame', [label])


def row_outcomes(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> list[ExpectationOutcome]:
    """Each row expectation of `obj` with the failures kept for the rows its raw table holds."""
    failed = {
        (expectation, column): (count, tuple(examples))
        for expectation, column, count, examples in con.execute(
            sql("row_failures_summary"), {"object": object_label(obj)}
        ).fetchall()
    }
    outcomes = []
    for expectation in expectations_for(obj):
        name, column = expectation.expectation, expectation.column
        count, examples = failed.get((name, column), (0, ()))
        outcomes.append(ExpectationOutcome(name, column, not count, count, examples))
    return outcomes
