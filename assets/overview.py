"""The overview asset: every unresolved finding across rules, critical first, and the night tagged on its run."""

import dagster as dg
import polars as pl

from asset_keys import DUCKDB_POOL, FINDINGS_KEY
from checks.finding_table import findings_table, in_display_order, links_markdown, shown_of
from checks.findings import SEVERITY_NAMES, UNRESOLVED
from checks.history import current_findings

OVERVIEW_KEY = dg.AssetKey(["audit", "unresolved_findings"])
OVERVIEW_LIMIT = 200  # rows of the table; the UI grows slow beyond a few hundred
LINKS_LIMIT = 50
AS_OF_TAG = "lnr/as_of"
CRITICAL_TAG = "lnr/critical_findings"


@dg.asset(
    key=OVERVIEW_KEY,
    group_name="audit",
    kinds={"duckdb"},
    deps=[FINDINGS_KEY],
    required_resource_keys={"duckdb", "audit_settings", "reports"},
    pool=DUCKDB_POOL,
    description="Every unresolved finding across rules (new, open, reopened, held), most severe and oldest first, "
    "with the record keys, the evidence and links to the records.",
)
def unresolved_findings(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Tonight's unresolved findings across rules; tags the run with the night and its critical findings."""
    as_of = context.resources.audit_settings.audit_date()
    with context.resources.duckdb.get_connection() as con:
        known = current_findings(con, as_of)
    unresolved = in_display_order(known.filter(UNRESOLVED))
    to_act_on = unresolved.filter(~pl.col("acknowledged"))
    by_severity = {name: to_act_on.filter(pl.col("severity") == name).height for name in SEVERITY_NAMES}
    context.instance.add_run_tags(
        context.run.run_id, {AS_OF_TAG: as_of.isoformat(), CRITICAL_TAG: str(by_severity["critical"])}
    )
    if by_severity["critical"]:
        context.log.warning(f"night {as_of}: {by_severity['critical']} unacknowledged critical finding(s)")
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "unresolved": unresolved.height,
            "acknowledged": unresolved.height - to_act_on.height,
            **{f"unacknowledged_{name}": count for name, count in by_severity.items()},
            "shown": shown_of(min(OVERVIEW_LIMIT, unresolved.height), unresolved.height),
            "findings": findings_table(unresolved, as_of, OVERVIEW_LIMIT),
            "record_links": links_markdown(unresolved, context.resources.reports.link_bases(), LINKS_LIMIT),
            "dagster/row_count": unresolved.height,
        }
    )
