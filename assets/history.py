"""The findings history: merge one night's findings into it, read the current state, acknowledge."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from assets.sql_files import sql
from checks.engine import FINDING_COLUMNS

STATUSES = ("new", "open", "reopened", "resolved")


class HistoryError(ValueError):
    """A request the findings history cannot honour (an earlier night, an unknown finding)."""


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    """Create the history tables where missing (a no-op on a read-only database that has them)."""
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'audit'"
        " AND table_name IN ('runs', 'findings', 'finding_events', 'acknowledgements')"
    ).fetchall()[0][0]
    if present < 4:
        con.execute(sql("history_schema"))


def latest_night(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The most recent audited night, or None before the first."""
    ensure_history(con)
    return con.execute("SELECT max(as_of) FROM audit.runs").fetchall()[0][0]


def merge_night(
    con: duckdb.DuckDBPyConnection,
    findings: pl.DataFrame,
    as_of: dt.date,
    run_id: str,
    held_rules: tuple[str, ...] = (),
) -> dict[str, int]:
    """Record night `as_of`'s findings in one transaction (re-running a night replaces it); counts per status.

    The findings of `held_rules` (rules reading data held back tonight) are neither new nor resolved: those open
    before are marked `held`, and the counts leave them out.
    """
    latest = latest_night(con)
    if latest is not None and as_of < latest:
        raise HistoryError(f"night {as_of} is before the last audited night {latest}; the history only moves forward")
    tonight_findings = findings.select(FINDING_COLUMNS)  # noqa: F841 - read by DuckDB's replacement scan
    params = {"as_of": as_of, "run_id": run_id}
    held = {"as_of": as_of, "held_rules": list(held_rules)}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM audit.finding_events WHERE as_of = $as_of", {"as_of": as_of})
        con.execute(f"INSERT INTO audit.finding_events {sql('history_events')}", {**params, **held})
        con.execute(sql("history_upsert"), held)
        con.execute(
            "INSERT OR REPLACE INTO audit.runs VALUES ($as_of, $run_id, now(), $findings)",
            {**params, "findings": findings.height},
        )
        counts = dict(
            con.execute(
                "SELECT status, count(*) FROM audit.finding_events WHERE as_of = $as_of GROUP BY status",
                {"as_of": as_of},
            ).fetchall()
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {status: counts.get(status, 0) for status in STATUSES}


def current_findings(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    """Every finding known on night `as_of` with its status, acknowledgement and the nights it was seen."""
    ensure_history(con)
    return con.sql(sql("current_findings"), params={"as_of": as_of}).pl()


def acknowledge(
    con: duckdb.DuckDBPyConnection, finding_id: str, reason: str, until: dt.date, by: str | None = None
) -> None:
    """Acknowledge a finding with a reason until a date (replacing an earlier acknowledgement)."""
    ensure_history(con)
    if not reason.strip():
        raise HistoryError("an acknowledgement needs a reason")
    if not con.execute("SELECT 1 FROM audit.findings WHERE finding_id = ?", [finding_id]).fetchall():
        raise HistoryError(f"no finding {finding_id}")
    con.execute(
        "INSERT OR REPLACE INTO audit.acknowledgements VALUES (?, ?, ?, ?, now())",
        [finding_id, reason.strip(), until, by],
    )
