"""Audit assets: the staging tables, tonight's findings merged into the history, and the scorecard."""

import dagster as dg

from asset_keys import DUCKDB_POOL, FINDINGS_KEY, SCORECARD_KEY, staging_asset_key
from assets.raw_nights import RawNightsConfig, nights_metadata, require_one_night
from assets.raw_store import raw_nights
from checks.engine import STAGING_VIEWS, build_staging, findings_frame, run_rules, scorecard_of, staged_params
from checks.held_loads import held_tables, holds
from checks.history import NIGHT_COUNTS, current_findings, merge_night, night_status
from checks.lineage import rules_reading, staging_deps
from checks.memory_headroom import with_memory_headroom

STAGING_KEYS = tuple(staging_asset_key(view.name) for view in STAGING_VIEWS)


def markdown_table(headers: tuple[str, ...], rows) -> str:
    """A Markdown table, for metadata the UI renders."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


class AuditConfig(RawNightsConfig):
    """Per-run options of the audit steps: besides the nights of the raw tables, `full_audit` to rebuild every
    staging table and re-evaluate every rule, even those whose inputs did not change since they last ran."""

    full_audit: bool = False


def _require_one_night(context: dg.AssetExecutionContext, con, config: RawNightsConfig) -> dict:
    """The metadata of the night each raw table holds; MixedNights when the tables whose load was not held back
    differ, unless the run allows it (then a warning)."""
    nights, held = raw_nights(con), holds(con)
    mix = require_one_night(nights, allow_mixed=config.allow_mixed_nights, held=held)
    if mix is not None:
        context.log.warning(f"auditing raw tables of different nights, as this run allows: {mix}")
    return nights_metadata(nights, held)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            description=view.description,
            group_name="staging",
            kinds={"duckdb", "sql"},
            deps=list(staging_deps(view.name)),
        )
        for key, view in zip(STAGING_KEYS, STAGING_VIEWS, strict=True)
    ],
    pool=DUCKDB_POOL,
    required_resource_keys={"duckdb", "audit_settings"},
)
def staging_views(context: dg.AssetExecutionContext, config: AuditConfig):
    """The common definitions of the rule catalogue, as DuckDB tables built from raw tables of one night (a table
    whose inputs did not change since it was built is kept, unless the run asks for a full audit)."""
    settings = context.resources.audit_settings.engine_settings()
    with context.resources.duckdb.get_connection() as con:
        _require_one_night(context, con, config)
        kept = with_memory_headroom(
            con, lambda: build_staging(con, settings, reuse=not config.full_audit), context.log.warning
        )
        if kept:
            context.log.info(f"{len(kept)} staging tables kept, their inputs unchanged: {', '.join(kept)}")
        for key, view in zip(STAGING_KEYS, STAGING_VIEWS, strict=True):
            rows = con.execute(f"SELECT count(*) FROM staging.{view.name}").fetchall()[0][0]
            yield dg.MaterializeResult(
                asset_key=key, metadata={"dagster/row_count": rows, "rebuilt": view.name not in kept}
            )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FINDINGS_KEY,
            description="Every rule evaluated as of the audit date, merged into the findings history as one night.",
            group_name="audit",
            kinds={"duckdb"},
            deps=list(STAGING_KEYS),
        ),
        dg.AssetSpec(
            SCORECARD_KEY,
            description="Per paid subscription in force its match status; per rule the subjects processed, "
            "passed and failed.",
            group_name="audit",
            kinds={"duckdb"},
            deps=[FINDINGS_KEY],
        ),
    ],
    pool=DUCKDB_POOL,
    required_resource_keys={"duckdb", "audit_settings"},
)
def audit_results(context: dg.AssetExecutionContext, config: AuditConfig):
    """Run the catalogue once (a rule whose inputs did not change since its last run gives its recorded result,
    unless the run asks for a full audit); record tonight's findings in the history and score the subscriptions."""
    settings = context.resources.audit_settings.engine_settings()
    reuse = not config.full_audit
    with context.resources.duckdb.get_connection() as con:
        night_metadata = _require_one_night(context, con, config)
        if staged_params(con) != settings.params():
            with_memory_headroom(con, lambda: build_staging(con, settings, reuse=reuse), context.log.warning)
        runs = with_memory_headroom(con, lambda: run_rules(con, reuse=reuse), context.log.warning)
        reused = [run.rule.id for run in runs if run.reused]
        tonight = findings_frame(runs)
        held_rules = rules_reading(held_tables(con))
        merge_night(con, tonight, settings.as_of, context.run.run_id, held_rules)
        status = night_status(current_findings(con, settings.as_of), settings.as_of)
        card = scorecard_of(con, runs)
    totals = dict(zip(NIGHT_COUNTS, status.select(NIGHT_COUNTS).sum().row(0), strict=True))
    context.log.info(f"night {settings.as_of}: {tonight.height} findings; {totals}")
    if reused:
        context.log.info(f"{len(reused)} rules not evaluated again, their inputs unchanged: {', '.join(reused)}")
    if held_rules:
        context.log.warning(f"findings held back tonight (their data was held at extraction): {', '.join(held_rules)}")
    yield dg.MaterializeResult(
        asset_key=FINDINGS_KEY,
        metadata={
            "as_of": str(settings.as_of),
            "findings": tonight.height,
            **totals,
            "rules_held_back": ", ".join(held_rules) or "none",
            "rules_evaluated": len(runs) - len(reused),
            "rules_reused": ", ".join(reused) or "none",
            "dagster/row_count": tonight.height,
            **night_metadata,
        },
    )
    statuses = card.statuses.group_by("match_status").len().sort("len", descending=True)
    yield dg.MaterializeResult(
        asset_key=SCORECARD_KEY,
        metadata={
            "subscriptions": card.statuses.height,
            "all_matching": int((card.statuses["match_status"] == "Paid All Matching").sum()),
            "match_statuses": dg.MetadataValue.md(
                markdown_table(("match status", "subscriptions"), statuses.iter_rows())
            ),
            "rules": dg.MetadataValue.md(
                markdown_table(
                    ("rule", "processed", "passed", "failed"),
                    card.rules.select("rule_id", "processed", "passed", "failed").iter_rows(),
                )
            ),
        },
    )
