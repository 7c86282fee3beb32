"""A raw table's validation night by night: the key in SQL over the whole table, the row expectations with
great-expectations over the rows the loads changed since the last validation, their failures kept per row."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from checks.expectations import ExpectationOutcome, RowFailure, expectations_for, frame_failures, key_outcomes
from checks.sql_files import sql
from checks.transaction import transaction
from connectors.schema import SourceObject, object_label

# Rows handed to great-expectations at a time: memory stays flat whatever the table's size.
VALIDATION_CHUNK_ROWS = 50_000
FAILURE_COLUMNS = ("expectation", "column", "record_key", "value")


@dataclass(frozen=True)
class RawValidation:
    """Every expectation's outcome on a raw table, and how many of its rows great-expectations read tonight."""

    outcomes: list[ExpectationOutcome]
    rows_validated: int
    whole: bool


def validate_table(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, chunk_rows: int = VALIDATION_CHUNK_ROWS
) -> RawValidation:
    """Every expectation of `obj`'s raw table, on all its rows.

    The key's presence and uniqueness are counted in SQL over the whole table. The row expectations run in
    great-expectations, chunk by chunk, on the rows incremental loads merged since the last validation (on every
    row after a full load, or the first time); their failures are kept per row in `meta.row_failures`, so a failing
    row that no load touched since is still counted, and a row updated or deleted since no longer is.
    """
    con.execute(sql("row_failures_schema"))
    names = {"table": obj.table, "key": f'"{obj.key}"'}
    label = object_label(obj)
    ((whole,),) = con.execute(sql("row_failures_whole"), {"object": label}).fetchall()
    rows, failures = 0, []
    params = {"object": label, "whole": whole}
    for batch in con.sql(sql("row_failures_rows").format(**names), params=params).to_arrow_reader(chunk_rows):
        rows += batch.num_rows
        failures.extend(frame_failures(obj, batch))
    with transaction(con):
        con.execute(sql("row_failures_forget").format(**names), params)
        _record(con, label, failures)
        con.execute("DELETE FROM meta.changed_keys WHERE object = ?", [label])
        con.execute("INSERT OR IGNORE INTO meta.validated_objects VALUES (?)", [label])
    return RawValidation(key_outcomes(con, obj) + row_outcomes(con, obj), rows, whole)


def _record(con: duckdb.DuckDBPyConnection, label: str, failures: list[RowFailure]) -> None:
    """Keep `failures` as the failures of their rows."""
    if not failures:
        return
    frame = pa.table({name: [getattr(f, name) for f in failures] for name in FAILURE_COLUMNS})  # noqa: F841
    con.execute(
        'INSERT INTO meta.row_failures SELECT ?, expectation, "column", record_key, value FROM frame', [label]
    )


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
