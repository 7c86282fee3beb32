"""One Dagster asset check per rule of the catalogue, on the findings it concerns."""

import datetime as dt

import dagster as dg
import polars as pl

from assets.audit import FINDINGS_KEY
from assets.history import current_findings
from assets.raw import DUCKDB_POOL
from checks.catalogue import RULES, Rule

TABLE_LIMIT = 50
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
FINDINGS_TABLE_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("subject_id", "string"),
        dg.TableColumn("status", "string"),
        dg.TableColumn("severity", "string"),
        dg.TableColumn("summary", "string"),
        dg.TableColumn("first_seen", "string"),
        dg.TableColumn("acknowledged", "string"),
        dg.TableColumn("finding_id", "string"),
    ]
)


def check_severity(rule: Rule) -> dg.AssetCheckSeverity:
    """ERROR for critical and high rules, WARN otherwise."""
    return dg.AssetCheckSeverity.ERROR if rule.severity in ("critical", "high") else dg.AssetCheckSeverity.WARN


def rule_check_result(rule: Rule, known: pl.DataFrame, as_of: dt.date) -> dg.AssetCheckResult:
    """The check result of `rule` on night `as_of`, given every finding known then."""
    mine = known.filter(pl.col("rule_id") == rule.id)
    live = mine.filter(pl.col("status") != "resolved")
    unacknowledged = live.filter(~pl.col("acknowledged"))
    tonight_resolved = mine.filter((pl.col("status") == "resolved") & (pl.col("resolved_on") == as_of))
    shown = live.sort(["acknowledged", "first_seen", "subject_id"]).head(TABLE_LIMIT)
    records = [
        dg.TableRecord(
            {
                "subject_id": row["subject_id"],
                "status": row["status"],
                "severity": row["severity"],
                "summary": row["summary"] or "",
                "first_seen": str(row["first_seen"]),
                "acknowledged": f"until {row['ack_until']}: {row['ack_reason']}" if row["acknowledged"] else "",
                "finding_id": row["finding_id"],
            }
        )
        for row in shown.iter_rows(named=True)
    ]
    return dg.AssetCheckResult(
        check_name=rule.id,
        asset_key=FINDINGS_KEY,
        passed=unacknowledged.height == 0,
        severity=check_severity(rule),
        description=rule.summary_line,
        metadata={
            "open": live.height,
            "new": mine.filter(pl.col("status") == "new").height,
            "reopened": mine.filter(pl.col("status") == "reopened").height,
            "resolved": tonight_resolved.height,
            "acknowledged": live.height - unacknowledged.height,
            "findings": dg.MetadataValue.table(records=records, schema=FINDINGS_TABLE_SCHEMA),
            "suggested_action": rule.suggested_action,
        },
    )


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec(rule.id, asset=FINDINGS_KEY, description=rule.summary_line) for rule in RULES],
    required_resource_keys={"duckdb", "audit_settings"},
    pool=DUCKDB_POOL,
)
def rule_checks(context: dg.AssetCheckExecutionContext):
    """Every rule of the catalogue: passes when the rule has no open, unacknowledged finding tonight."""
    as_of = context.resources.audit_settings.engine_settings().as_of
    with context.resources.duckdb.get_connection() as con:
        known = current_findings(con, as_of)
    for rule in RULES:
        yield rule_check_result(rule, known, as_of)
