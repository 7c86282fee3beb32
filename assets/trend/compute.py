"""The findings trend of the last N nights per rule: new, reopened, resolved, unresolved and their median age, in all,
by purchase channel and by deployment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from checks.catalogue import RULES
from checks.findings import SEVERITY_NAMES

DEFAULT_NIGHTS = 28
ALL = "all"  # the rule_id, split and origin of the totals rows
TREND_SQL = Path(__file__).with_name("finding_trend.sql")
TREND_COLUMNS = (
    "rule_id", "severity", "split", "origin", "nights", "new", "reopened", "resolved", "unresolved", "median_age_days"
)
SPLITS = (ALL, "channel", "deployment")


def finding_trend(con: duckdb.DuckDBPyConnection, as_of: dt.date, nights: int = DEFAULT_NIGHTS) -> pl.DataFrame:
    """Per rule (most severe first) and for all rules together, over the `nights` nights up to `as_of`: the
    findings new, reopened and resolved in those nights, and those unresolved on `as_of` with their median age;
    each in all, then by purchase channel and by deployment."""
    if nights < 1:
        raise ValueError("the trend needs at least one night")
    since = as_of - dt.timedelta(days=nights)
    frame = con.sql(TREND_SQL.read_text(encoding="utf-8"), params={"as_of": as_of, "since": since}).pl()
    severity = {rule.id: rule.severity for rule in RULES}
    rank = {rule_id: SEVERITY_NAMES.index(level) for rule_id, level in severity.items()}
    return (
        frame.with_columns(
            pl.col("rule_id").replace_strict(severity, default=ALL).alias("severity"),
            pl.lit(nights).alias("nights"),
        )
        .sort(
            pl.col("rule_id") != ALL,
            pl.col("rule_id").replace_strict(rank, default=len(SEVERITY_NAMES)),
            "rule_id",
            pl.col("split").replace_strict({name: n for n, name in enumerate(SPLITS)}),
            "origin",
        )
        .select(TREND_COLUMNS)
    )


def trend_metadata(trend: pl.DataFrame) -> dict[str, float | int]:
    """The totals of the trend as numbers the UI plots night by night: `new`, `reopened`, `resolved`,
    `unresolved`, `median_age_days`, and the new findings per channel and deployment (e.g. `new_by_channel/reseller`).
    """
    totals = trend.filter(pl.col("rule_id") == ALL)
    overall = totals.filter(pl.col("split") == ALL).to_dicts()
    values: dict[str, float | int] = {}
    if overall:
        row = overall[0]
        values = {name: row[name] for name in ("new", "reopened", "resolved", "unresolved")}
        values["median_age_days"] = float(row["median_age_days"] or 0.0)
    for row in totals.filter(pl.col("split") != ALL).iter_rows(named=True):
        values[f"new_by_{row['split']}/{row['origin']}"] = row["new"]
    return values
