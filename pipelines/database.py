"""Opening the audit database from the command line: wait briefly for a running night, then fail clearly."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from assets.raw_store import connect

DEFAULT_DATABASE = "lnr_audit.duckdb"
DEFAULT_WAIT_SECONDS = 10.0


class DatabaseBusy(RuntimeError):
    """The database is held by a running audit for longer than we wait."""


def database_path(explicit: str | None = None) -> Path:
    """The DuckDB file: the given path, else LNR_DUCKDB_PATH, else the default."""
    return Path(explicit or os.environ.get("LNR_DUCKDB_PATH") or DEFAULT_DATABASE)


def open_database(
    path: Path, *, read_only: bool, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """A connection to `path`, retrying while another process writes it, then DatabaseBusy."""
    if read_only and not path.exists():
        raise FileNotFoundError(f"no audit database at {path}: run the audit first (lnr-audit run or lnr-audit demo)")
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            return connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"{path} is being written by a running audit (waited {wait_seconds:g} s); "
                    "try again when the run has finished"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
