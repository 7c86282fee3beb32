"""The trend chart: per rule, the findings new or reopened in the window, by purchase channel and by deployment."""

from __future__ import annotations

import io

import polars as pl

from assets.trend.compute import ALL

MAX_RULES = 15  # the rules with the most new and reopened findings; the CSV has them all


def trend_chart_png(trend: pl.DataFrame, title: str) -> bytes:
    """A PNG of two panels of stacked horizontal bars, one bar per rule: new + reopened findings split by purchase
    channel (left) and by deployment (right)."""
    from matplotlib.figure import Figure  # imported where used: only the weekly report draws

    rules = (
        trend.filter((pl.col("rule_id") != ALL) & (pl.col("split") == ALL))
        .with_columns((pl.col("new") + pl.col("reopened")).alias("found"))
        .filter(pl.col("found") > 0)
        .sort(["found", "rule_id"], descending=[True, False])
        .head(MAX_RULES)["rule_id"]
        .to_list()
    )
    figure = Figure(figsize=(12, 1.2 + 0.4 * max(len(rules), 1)), layout="constrained")
    figure.suptitle(title)
    for axes, split in zip(figure.subplots(1, 2, sharey=True), ("channel", "deployment"), strict=True):
        parts = trend.filter((pl.col("split") == split) & pl.col("rule_id").is_in(rules))
        left = [0] * len(rules)
        for origin in sorted(set(parts["origin"])):
            found = {
                row["rule_id"]: row["new"] + row["reopened"]
                for row in parts.filter(pl.col("origin") == origin).iter_rows(named=True)
            }
            widths = [found.get(rule, 0) for rule in rules]
            axes.barh(rules, widths, left=left, label=origin)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        axes.set_title(f"findings new or reopened, by {split}")
        axes.invert_yaxis()
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize="small")
    if not rules:
        figure.text(0.5, 0.5, "no new or reopened findings", ha="center")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
