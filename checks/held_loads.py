"""Loads held back at extraction (emptied or shrunk objects): read from `meta.held_objects` for the checks and
the audit, which hold back the findings of the rules reading them."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from connectors.schema import SOURCE_OBJECTS, object_label


@dataclass(frozen=True)
class Hold:
    """An object whose last load was not swapped in: the rows kept, the rows the source gave, and why."""

    object: str
    previous_rows: int
    source_rows: int
    reason: str


def holds(con: duckdb.DuckDBPyConnection) -> dict[str, Hold]:
    """Every object whose last load was held back, by `system/Object` label (none before the first load)."""
    try:
        rows = con.execute("SELECT object, previous_rows, source_rows, reason FROM meta.held_objects ORDER BY object")
    except duckdb.CatalogException:
        return {}
    return {row[0]: Hold(*row) for row in rows.fetchall()}


def held_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables whose last load was held back."""
    held = holds(con)
    return [obj.table for obj in SOURCE_OBJECTS if object_label(obj) in held]
