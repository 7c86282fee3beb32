"""One Dagster asset check per rule of the catalogue, on the findings it concerns."""

import datetime as dt

import dagster as dg
import polars as pl

from asset_keys import DUCKDB_POOL, FINDINGS_KEY
from checks.catalogue import RULES, Rule
from checks.findings import UNRESOLVED, blocking_severity
from checks.history import NIGHT_COUNTS, current_findings, night_status
from checks.lineage import rule_reads

TABLE_LIMIT = 50
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
    return dg.AssetCheckSeverity.ERROR if blocking_severity(rule.severity) else dg.AssetCheckSeverity.WARN


def rule_check_result(rule: Rule, known: pl.DataFrame, counts: dict[str, int]) -> dg.AssetCheckResult:
    """The check result of `rule` given every finding known on the night and the rule's counts of that night."""
    unresolved = known.filter((pl.col("rule_id") == rule.id) & UNRESOLVED)
    shown = unresolved.sort(["acknowledged", "first_seen", "subject_id"]).head(TABLE_LIMIT)
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
        passed=counts["unresolved"] == counts["acknowledged"],
        severity=check_severity(rule),
        description=rule.summary_line,
        metadata={
            **{name: counts[name] for name in NIGHT_COUNTS},
            "findings": dg.MetadataValue.table(records=records, schema=FINDINGS_TABLE_SCHEMA),
            "suggested_action": rule.suggested_action,
        },
    )


def rule_check_results(known: pl.DataFrame, as_of: dt.date) -> list[dg.AssetCheckResult]:
    """The check result of every rule on night `as_of`, given every finding known then."""
    counts = {row["rule_id"]: row for row in night_status(known, as_of).iter_rows(named=True)}
    return [rule_check_result(rule, known, counts[rule.id]) for rule in RULES]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            rule.id, asset=FINDINGS_KEY, description=rule.summary_line, additional_deps=list(rule_reads(rule))
        )
        for rule in RULES
    ],
    required_resource_keys={"duckdb", "audit_settings"},
    pool=DUCKDB_POOL,
)
def rule_checks(context: dg.AssetCheckExecutionContext):
    """Every rule of the catalogue: passes when the rule has no unresolved, unacknowledged finding tonight."""
    as_of = context.resources.audit_settings.engine_settings().as_of
    with context.resources.duckdb.get_connection() as con:
        known = current_findings(con, as_of)
    yield from rule_check_results(known, as_of)
