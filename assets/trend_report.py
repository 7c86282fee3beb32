"""The trend asset: which defects recur and where they come from, as a CSV and a chart in the night's reports."""

from pathlib import Path

import dagster as dg

from assets.audit import FINDINGS_KEY
from assets.raw import DUCKDB_POOL
from assets.reports.writer import ReportFiles
from assets.trend.chart import trend_chart_png
from assets.trend.compute import finding_trend, trend_metadata
from assets.trend.files import write_trend

TREND_KEY = dg.AssetKey(["reports", "finding_trend"])


@dg.asset(
    key=TREND_KEY,
    group_name="reports",
    kinds={"csv"},
    deps=[FINDINGS_KEY],
    required_resource_keys={"duckdb", "audit_settings", "reports"},
    pool=DUCKDB_POOL,
    description="Per rule over the last nights: findings new, reopened, resolved, unresolved and their median age, "
    "by purchase channel and deployment (trend.csv, trend.png in the night's reports).",
)
def finding_trend_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Write tonight's trend files; the totals as numbers the UI plots night by night."""
    as_of = context.resources.audit_settings.audit_date()
    nights = context.resources.reports.trend_nights
    with context.resources.duckdb.get_connection() as con:
        trend = finding_trend(con, as_of, nights)
    chart = trend_chart_png(trend, f"lnr-audit: findings new or reopened in the {nights} nights to {as_of}")
    files = write_trend(trend, chart, ReportFiles.at(Path(context.resources.reports.directory), as_of).folder)
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "nights": nights,
            **trend_metadata(trend),
            **{path.name: dg.MetadataValue.path(str(path)) for path in files.paths},
            "dagster/row_count": trend.height,
        }
    )

