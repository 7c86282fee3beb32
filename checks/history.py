"""The findings history: merge a night's findings into it, read the current state and night status, acknowledge."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from checks.catalogue import RULES
from checks.findings import (
    COLUMNS,
    FINDING_COLUMNS,
    FOUND_STATUSES,
    STATUS_NAMES,
    STORED_COLUMNS,
    UNRESOLVED,
    findings_table_ddl,
    findings_upsert,
    known_projection,
    resolved_on_night,
    sql_list,
)
from checks.sql_files import sql
from checks.tables import has_table
from checks.transaction import transaction

BEFORE_NIGHT = "audit.findings_before_night"  # the rows of audit.findings the latest night's merge changed, as before
NIGHT_COUNTS: tuple[str, ...] = ("unresolved", "new", "open", "reopened", "held", "resolved", "acknowledged")


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
        con.execute(findings_table_ddl())
    if needs_id_migration(con):
        migrate_finding_ids(con)


def needs_id_migration(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the history holds findings recorded with the older, bare 16-hex-digit ids."""
    query = "SELECT count(*) FROM audit.findings WHERE regexp_full_match(finding_id, '[0-9a-f]{16}')"
    return con.execute(query).fetchall()[0][0] > 0


def migrate_finding_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the bare-hex finding ids of the history in their current form, all tables in one transaction."""
    tables = ["audit.findings", "audit.finding_events", "audit.acknowledgements"]
    before_night = has_table(con, "audit", BEFORE_NIGHT.removeprefix("audit."))
    with transaction(con):
        for table in tables + ([BEFORE_NIGHT] if before_night else []):
            con.execute(sql("history_migrate_ids").format(table=table))


def prepare_for_merge(con: duckdb.DuckDBPyConnection) -> None:
    """Create `audit.findings_before_night` where missing, and add to it and to `audit.findings` the columns the
    finding model declares since they were created (a new key column, say)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {BEFORE_NIGHT} AS SELECT * FROM audit.findings LIMIT 0")
    for table in ("audit.findings", BEFORE_NIGHT):
        present = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
        for name in STORED_COLUMNS:
            if name not in present:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {COLUMNS[name].sql_type}")


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
    prepare_for_merge(con)
    tonight_findings = findings.select(FINDING_COLUMNS)  # noqa: F841 - read by DuckDB's replacement scan
    params = {"as_of": as_of, "run_id": run_id}
    held = {"as_of": as_of, "held_rules": list(held_rules)}
    columns = ", ".join(STORED_COLUMNS)
    with transaction(con):
        if as_of == latest:  # a re-run: the details the discarded run overwrote come back first
            con.execute(f"INSERT OR REPLACE INTO audit.findings ({columns}) SELECT {columns} FROM {BEFORE_NIGHT}")
        con.execute(f"DELETE FROM {BEFORE_NIGHT}")
        con.execute(
            f"INSERT INTO {BEFORE_NIGHT} ({columns}) SELECT {columns} FROM audit.findings"
            " WHERE finding_id IN (SELECT finding_id FROM tonight_findings)"
        )
        con.execute("DELETE FROM audit.finding_events WHERE as_of = $as_of", {"as_of": as_of})
        con.execute(f"INSERT INTO audit.finding_events {sql('history_events')}", {**params, **held})
        con.execute(findings_upsert(), held)
        con.execute(sql("history_seen").format(found=sql_list(FOUND_STATUSES)))
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
    return {status: counts.get(status, 0) for status in STATUS_NAMES if status != "held"}


def current_findings(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    """Every finding known on night `as_of` with its status, acknowledgement and the nights it was seen."""
    ensure_history(con)
    query = sql("current_findings").format(columns=known_projection(), found=sql_list(FOUND_STATUSES))
    return con.sql(query, params={"as_of": as_of}).pl()


def night_status(known: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per catalogue rule, night `as_of`'s counts: `unresolved` (new + open + reopened + held), `new`, `open`
    (carried over from an earlier night), `reopened`, `held` (not checked tonight), `resolved` (that night) and
    `acknowledged` (unresolved and acknowledged)."""
    status = pl.col("status")
    counts = known.group_by("rule_id").agg(
        UNRESOLVED.sum().alias("unresolved"),
        (status == "new").sum().alias("new"),
        (status == "open").sum().alias("open"),
        (status == "reopened").sum().alias("reopened"),
        (status == "held").sum().alias("held"),
        resolved_on_night(as_of).sum().alias("resolved"),
        (UNRESOLVED & pl.col("acknowledged")).sum().alias("acknowledged"),
    )
    rules = pl.DataFrame(
        [{"rule_id": r.id, "category": r.category, "severity": r.severity} for r in RULES],
        schema={"rule_id": pl.String, "category": pl.String, "severity": pl.String},
    )
    return (
        rules.join(counts, on="rule_id", how="left", maintain_order="left")
        .with_columns(pl.col(list(NIGHT_COUNTS)).fill_null(0).cast(pl.Int64))
    )


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


def withdraw_acknowledgement(con: duckdb.DuckDBPyConnection, finding_id: str) -> tuple[str, dt.date]:
    """Remove a finding's acknowledgement; the reason and date it had, or HistoryError when it had none."""
    ensure_history(con)
    removed = con.execute(
        "DELETE FROM audit.acknowledgements WHERE finding_id = ? RETURNING reason, until", [finding_id]
    ).fetchall()
    if not removed:
        raise HistoryError(f"{finding_id} is not acknowledged")
    return removed[0]
