"""One Dagster asset check per rule of the catalogue, on the findings it concerns."""

import datetime as dt

import dagster as dg
import polars as pl

from asset_keys import DUCKDB_POOL, FINDINGS_KEY
from checks.catalogue import RULES, Rule
from checks.finding_table import findings_table, in_display_order, links_markdown, shown_of
from checks.findings import UNRESOLVED, blocking_severity
from checks.history import NIGHT_COUNTS, current_findings, night_status
from checks.lineage import rule_reads
from checks.record_links import LinkBases

TABLE_LIMIT = 50
REAL_HOSTS = LinkBases()


def check_severity(rule: Rule) -> dg.AssetCheckSeverity:
    """ERROR for critical and high rules, WARN otherwise."""
    return dg.AssetCheckSeverity.ERROR if blocking_severity(rule.severity) else dg.AssetCheckSeverity.WARN


def check_description(rule: Rule) -> str:
    """The rule's severity in capitals, so a critical rule stands out from a high one, then what it finds."""
    return f"{rule.severity.upper()}: {rule.summary_line}"


def rule_check_result(
    rule: Rule, known: pl.DataFrame, counts: dict[str, int], as_of: dt.date, bases: LinkBases
) -> dg.AssetCheckResult:
    """The check result of `rule` given every finding known on night `as_of` and the rule's counts of that night:
    its unresolved findings most severe and oldest first, with keys, evidence and record links."""
    unresolved = in_display_order(known.filter((pl.col("rule_id") == rule.id) & UNRESOLVED))
    return dg.AssetCheckResult(
        check_name=rule.id,
        asset_key=FINDINGS_KEY,
        passed=counts["unresolved"] == counts["acknowledged"],
        severity=check_severity(rule),
        description=check_description(rule),
        metadata={
            "rule_severity": rule.severity,
            **{name: counts[name] for name in NIGHT_COUNTS},
            "shown": shown_of(min(TABLE_LIMIT, unresolved.height), unresolved.height),
            "findings": findings_table(unresolved, as_of, TABLE_LIMIT),
            "record_links": links_markdown(unresolved, bases, TABLE_LIMIT),
            "suggested_action": rule.suggested_action,
        },
    )


def rule_check_results(
    known: pl.DataFrame, as_of: dt.date, bases: LinkBases = REAL_HOSTS
) -> list[dg.AssetCheckResult]:
    """The check result of every rule on night `as_of`, given every finding known then; links point at `bases`."""
    counts = {row["rule_id"]: row for row in night_status(known, as_of).iter_rows(named=True)}
    return [rule_check_result(rule, known, counts[rule.id], as_of, bases) for rule in RULES]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            rule.id, asset=FINDINGS_KEY, description=check_description(rule), additional_deps=list(rule_reads(rule))
        )
        for rule in RULES
    ],
    required_resource_keys={"duckdb", "audit_settings", "reports"},
    pool=DUCKDB_POOL,
)
def rule_checks(context: dg.AssetCheckExecutionContext):
    """Every rule of the catalogue: passes when the rule has no unresolved, unacknowledged finding tonight."""
    as_of = context.resources.audit_settings.engine_settings().as_of
    with context.resources.duckdb.get_connection() as con:
        known = current_findings(con, as_of)
    yield from rule_check_results(known, as_of, context.resources.reports.link_bases())
