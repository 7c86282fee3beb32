"""The frames the Fulfillment reports are written from: findings of the night and per-rule counts."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from assets.history import current_findings
from checks.catalogue import RULES


def rule_summary(known: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per catalogue rule: severity and how many findings are open, new, resolved tonight and acknowledged."""
    rows = []
    for rule in RULES:
        mine = known.filter(pl.col("rule_id") == rule.id)
        live = mine.filter(pl.col("status") != "resolved")
        rows.append(
            {
                "rule_id": rule.id,
                "category": rule.category,
                "severity": rule.severity,
                "open": live.height,
                "new": mine.filter(pl.col("status") == "new").height,
                "resolved": mine.filter((pl.col("status") == "resolved") & (pl.col("resolved_on") == as_of)).height,
                "acknowledged": live.filter(pl.col("acknowledged")).height,
            }
        )
    return pl.DataFrame(rows)


def report_frames(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The findings known on night `as_of` and the per-rule summary."""
    known = current_findings(con, as_of)
    return known, rule_summary(known, as_of)
