"""Loading a world's files straight into the raw tables through the extraction's own typing and load code."""

from __future__ import annotations

import datetime as dt
from itertools import islice
from pathlib import Path

import duckdb

from assets.raw_store import SnapshotLoad
from connectors.schema import SOURCE_OBJECTS
from sandbox.world import iter_records

PAGE = 50_000


def load_world(con: duckdb.DuckDBPyConnection, world: Path) -> int:
    """Replace every raw table by the records of `world`, page by page as an extraction would; the rows loaded."""
    rows = 0
    for obj in SOURCE_OBJECTS:
        load = SnapshotLoad(con, obj)
        records = iter_records(world, obj)
        while page := list(islice(records, PAGE)):
            rows += load.add(page)
        load.resolve_duplicates()
        load.commit_full(dt.datetime.now(dt.UTC))
    return rows
