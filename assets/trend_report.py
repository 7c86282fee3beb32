"""The trend asset: which defects recur and where they come from, as a CSV and a chart in the night's reports,
mailed on the trend's weekday."""

from pathlib import Path

import dagster as dg

from asset_keys import DUCKDB_POOL, REPORTS_KEY
from assets.fulfillment import DeliveryFailed
from assets.reports.delivery import send_trend
from assets.reports.writer import ReportFiles
from assets.trend.chart import trend_chart_png
from assets.trend.compute import finding_trend, trend_metadata
from assets.trend.files import write_trend

TREND_KEY = dg.AssetKey(["reports", "finding_trend"])


@dg.asset(
    key=TREND_KEY,
    group_name="reports",
    kinds={"csv", "email"},
    deps=[REPORTS_KEY],  # after the night's report folder is written, which replaces the folder whole
    required_resource_keys={"duckdb", "audit_settings", "reports"},
    pool=DUCKDB_POOL,
    description="Per rule over the last nights: findings new, reopened, resolved, unresolved and their median age, "
    "by purchase channel and deployment (trend.csv and trend.png in the night's reports, mailed weekly).",
)
def finding_trend_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Write tonight's trend files and mail them on the trend's weekday; the totals as numbers the UI plots."""
    as_of = context.resources.audit_settings.audit_date()
    settings = context.resources.reports
    with context.resources.duckdb.get_connection() as con:
        trend = finding_trend(con, as_of, settings.trend_nights)
    nights = settings.trend_nights
    chart = trend_chart_png(trend, f"lnr-audit: findings new or reopened in the {nights} nights to {as_of}")
    files = write_trend(trend, chart, ReportFiles.at(Path(settings.directory), as_of).folder)
    smtp = settings.smtp_settings()
    mailed = smtp is not None and settings.weekly(as_of)
    if mailed:
        result = send_trend(as_of, settings.trend_nights, files.paths, smtp)
        if not result.ok:
            raise DeliveryFailed(f"trend mail to {result.target} failed: {result.error} (the files are kept)")
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "nights": settings.trend_nights,
            **trend_metadata(trend),
            **{path.name: dg.MetadataValue.path(str(path)) for path in files.paths},
            "mailed": mailed,
            "dagster/row_count": trend.height,
        }
    )
