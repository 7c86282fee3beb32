"""What the audit database holds: whether a table is there yet, asked of the catalogue rather than caught as an error
(an error inside a transaction aborts it)."""

from __future__ import annotations

import duckdb


def has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether `con`'s database has the table `schema.name`."""
    query = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?"
    return con.execute(query, [schema, name]).fetchall()[0][0] > 0
