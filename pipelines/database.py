"""Opening the audit database from the command line: wait briefly for a running night, then fail clearly."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from assets.raw_store import connect
from connectors.retry import RetryPolicy, with_retries
from pipelines.settings import setting

DEFAULT_WAIT_SECONDS = 10.0


class DatabaseBusy(RuntimeError):
    """The database is held by a running audit for longer than we wait."""


def database_path(explicit: str | None = None) -> Path:
    """The DuckDB file: the given path, else LNR_DUCKDB_PATH, else the default."""
    return Path(explicit or setting("LNR_DUCKDB_PATH"))


def open_database(
    path: Path, *, read_only: bool, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """A connection to `path`, retrying while another process writes it, then DatabaseBusy."""
    if read_only and not path.exists():
        raise FileNotFoundError(f"no audit database at {path}: run the audit first (lnr-audit run or lnr-audit demo)")
    policy = RetryPolicy(max_attempts=sys.maxsize, backoff_base=0.1, backoff_max=1.0, jitter=False)

    def locked(exc: Exception) -> bool:
        return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()

    try:
        return with_retries(
            lambda: connect(str(path), read_only=read_only),
            policy,
            transient=locked,
            deadline=time.monotonic() + wait_seconds,
        )
    except duckdb.IOException as exc:
        if not locked(exc):
            raise
        raise DatabaseBusy(
            f"{path} is being written by a running audit (waited {wait_seconds:g} s); "
            "try again when the run has finished"
        ) from None
