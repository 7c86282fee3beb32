"""The session settings every DuckDB connection and cursor of the audit works with."""

from __future__ import annotations

import duckdb


def in_audit_session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con` set to work in UTC and to draw no progress bar (a long query would draw one on the run's output)."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con


def session_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con`, a session of its own on the same database, set as `in_audit_session` sets one: DuckDB's
    cursors do not take their connection's session settings."""
    return in_audit_session(con.cursor())
