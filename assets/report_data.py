"""The frames the Fulfillment reports are written from: findings of the night with their customer, per-rule counts."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from checks.catalogue import RULES
from checks.history import current_findings, night_status
from checks.sql_files import sql

RAW_ACCOUNTS = {"raw_zuora.account", "raw_salesforce.account", "raw_customersdot.billing_accounts"}


def report_frames(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The findings known on night `as_of` with their customer's name, and the rules' titles and counts that night."""
    known = current_findings(con, as_of)
    titles = pl.DataFrame({"rule_id": [r.id for r in RULES], "title": [r.description for r in RULES]})
    summary = night_status(known, as_of).join(titles, on="rule_id", how="left", maintain_order="left")
    return with_customer_names(con, known), summary


def with_customer_names(con: duckdb.DuckDBPyConnection, findings: pl.DataFrame) -> pl.DataFrame:
    """`findings` with `customer_name` from the raw accounts of the three systems (null where none is loaded)."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            " WHERE table_schema IN ('raw_zuora', 'raw_salesforce', 'raw_customersdot')"
        ).fetchall()
    }
    if not RAW_ACCOUNTS <= present:
        return findings.with_columns(pl.lit(None, pl.String).alias("customer_name"))
    keys = ["finding_id", "zuora_account_number", "sf_account_id", "billing_account_id"]
    report_findings = findings.select(keys)  # noqa: F841 - read by DuckDB's replacement scan
    names = con.sql(sql("customer_names")).pl()
    return findings.join(names, on="finding_id", how="left", maintain_order="left")
