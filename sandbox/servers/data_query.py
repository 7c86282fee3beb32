"""The sandbox's Data Query engine: read-only SQL over a world's Zuora objects, run by DuckDB, written to a file.

Data Query speaks Trino SQL over lower-case tables (`subscription`, `rateplancharge`…) with lower-case
columns. The sandbox loads the declared Zuora objects of a world into an in-memory DuckDB database
(schema `live`, and schema `deleted` for the records deleted before the world), typed by the source
declaration, and runs the statement there: the subset the connector sends (column lists, `timestamp '…'`
and string literals, `as` aliases, `and`, `<`, `>=`, `count(*)`, `date_trunc`, `group by`, `union all`,
`order by`) means the same in both dialects. Only one SELECT statement is accepted, and file access is switched off.

The result file is written by DuckDB's own `COPY … TO` (file access is allowed in the results folder
only). Rendering (*assumed* where Zuora's reference is silent): JSON lines with the column names of the
statement, nulls as `null`, numbers as JSON numbers, booleans as `true`/`false`, dates `YYYY-MM-DD`,
timestamps in UTC as `YYYY-MM-DD HH:MM:SS`; CSV with a header row and empty cells for nulls.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl

from connectors.frames import POLARS_TYPES
from connectors.schema import FieldType, objects_of
from sandbox.servers.store import Table, WorldStore

SYSTEM = "zuora"


class DataQueryError(ValueError):
    """A statement Data Query refuses or cannot run; the message is the job's `errorMessage`."""


class DataQueryEngine:
    """The world's Zuora objects as DuckDB tables, queried one read-only SELECT at a time into `results`."""

    def __init__(self, store: WorldStore, results: Path) -> None:
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET TimeZone = 'UTC'")
        for schema, tables in (("live", store.table), ("deleted", store.deleted)):
            self._con.execute(f"CREATE SCHEMA {schema}")
            for obj in objects_of(SYSTEM):
                frame = _frame(tables(SYSTEM, obj.name))  # noqa: F841 - read by DuckDB's replacement scan
                self._con.execute(f"CREATE TABLE {schema}.{obj.name.lower()} AS SELECT * FROM frame")
        self._con.execute("SET allowed_directories = ?", [[f"{Path(results).resolve()}/"]])
        self._con.execute("SET enable_external_access = false")
        self._lock = threading.Lock()

    def run(self, sql: str, target: Path, *, deleted: bool, output_format: str, gzipped: bool) -> int:
        """Run `sql` over the live (or deleted) records into the file `target`; the number of rows written."""
        statements = self._con.extract_statements(sql)
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise DataQueryError("Only one read-only SELECT statement is supported")
        options = _COPY_OPTIONS.get(output_format)
        if options is None:
            raise DataQueryError(f"Unsupported outputFormat {output_format}")
        select = sql.strip().rstrip(";").strip()
        path = str(Path(target).resolve()).replace("'", "''")
        copy = f"COPY ({select}) TO '{path}' ({options}, COMPRESSION {'GZIP' if gzipped else 'NONE'})"
        with self._lock:
            cursor = self._con.cursor()
        try:
            cursor.execute(f"SET search_path = '{'deleted' if deleted else 'live'}'")
            return int(cursor.execute(copy).fetchall()[0][0])
        except duckdb.Error as exc:
            raise DataQueryError(str(exc).splitlines()[0]) from None
        finally:
            cursor.close()


def _frame(table: Table | None) -> pl.DataFrame:
    """The typed columns of `table`'s declared fields, named in lower case; timestamps as naive UTC."""
    assert table is not None
    columns = {}
    for f in table.obj.fields:
        series = pl.Series(table.column(f.name), dtype=POLARS_TYPES[f.type])
        columns[f.name.lower()] = series.dt.replace_time_zone(None) if f.type is FieldType.DATETIME else series
    return pl.DataFrame(columns)


_COPY_OPTIONS = {"JSON": "FORMAT JSON", "CSV": "FORMAT CSV, HEADER true"}
