"""The frames the Fulfillment reports are written from: findings of the night and per-rule counts."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from checks.history import current_findings, night_status


def report_frames(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The findings known on night `as_of` and the rules' counts of that night."""
    known = current_findings(con, as_of)
    return known, night_status(known, as_of)
