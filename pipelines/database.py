"""Opening the audit database from the command line: wait briefly for a running night, then fail clearly."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from assets.raw_store import DEFAULT_MEMORY_LIMIT, connect
from checks.history import ensure_history, needs_id_migration
from checks.tables import has_table
from connectors.retry import RetryPolicy, with_retries

DEFAULT_WAIT_SECONDS = 10.0


class DatabaseBusy(RuntimeError):
    """The database is held by a running audit for longer than we wait."""


def open_database(
    path: Path, *, read_only: bool, wait_seconds: float = DEFAULT_WAIT_SECONDS, memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """A connection to `path`, retrying while another process writes it, then DatabaseBusy.

    A history still holding findings of the older id form is migrated first, even when opened to read.
    """
    if read_only and not path.exists():
        raise FileNotFoundError(f"no audit database at {path}: run the audit first (lnr-audit run or lnr-audit demo)")
    con = _connect_waiting(path, read_only, wait_seconds, memory_limit)
    if read_only and history_needs_migration(con):
        con.close()
        with _connect_waiting(path, False, wait_seconds, memory_limit) as writer:
            ensure_history(writer)
        con = _connect_waiting(path, True, wait_seconds, memory_limit)
    return con


def history_needs_migration(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con`'s database has a findings history with ids of the older form."""
    return has_table(con, "audit", "findings") and needs_id_migration(con)


def _connect_waiting(
    path: Path, read_only: bool, wait_seconds: float, memory_limit: str
) -> duckdb.DuckDBPyConnection:
    """A connection to `path` (DuckDB held to `memory_limit`), retrying while another process holds it for up to
    `wait_seconds`."""
    policy = RetryPolicy(max_attempts=sys.maxsize, backoff_base=0.1, backoff_max=1.0, jitter=False)

    def locked(exc: Exception) -> bool:
        return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()

    try:
        return with_retries(
            lambda: connect(str(path), read_only=read_only, memory_limit=memory_limit),
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
