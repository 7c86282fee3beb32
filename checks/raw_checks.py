"""Dagster asset checks on the raw tables: great-expectations validation and the quarantine."""

import dagster as dg

from assets.raw import DUCKDB_POOL, raw_asset_key
from assets.raw_store import object_label
from checks.expectations import ExpectationOutcome, validate_frame
from connectors.schema import SOURCE_OBJECTS

EXPECTATIONS_CHECK = "raw_expectations"
QUARANTINE_CHECK = "no_quarantined_records"
QUARANTINE_SHOWN = 50


def expectations_metadata(outcomes: list[ExpectationOutcome]) -> dict:
    """Counts and the failed expectations, with examples of unexpected values."""
    failed = [o for o in outcomes if not o.success]
    lines = [
        f"- `{o.expectation}` on `{o.column}`: {o.unexpected_count} unexpected, e.g. {', '.join(o.examples)}"
        for o in failed
    ]
    return {
        "expectations": len(outcomes),
        "failed": len(failed),
        "failures": dg.MetadataValue.md("\n".join(lines) or "none"),
    }


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            EXPECTATIONS_CHECK,
            asset=raw_asset_key(obj),
            description="Ids present and unique, enums in their allowed values, plausible dates, non-negative amounts.",
        )
        for obj in SOURCE_OBJECTS
    ],
    can_subset=True,
    required_resource_keys={"duckdb"},
    pool=DUCKDB_POOL,
)
def raw_expectations(context: dg.AssetCheckExecutionContext):
    """Validate every raw table with the expectations declared by its source object (great-expectations)."""
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    with context.resources.duckdb.get_connection() as con:
        for obj in SOURCE_OBJECTS:
            if raw_asset_key(obj) not in selected:
                continue
            outcomes = validate_frame(obj, con.sql(f"SELECT * FROM {obj.table}").to_arrow_table())
            yield dg.AssetCheckResult(
                asset_key=raw_asset_key(obj),
                check_name=EXPECTATIONS_CHECK,
                passed=all(o.success for o in outcomes),
                metadata=expectations_metadata(outcomes),
            )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=raw_asset_key(obj),
            description="Every extracted record could be read as its declared types (see meta.quarantine).",
        )
        for obj in SOURCE_OBJECTS
    ],
    can_subset=True,
    required_resource_keys={"duckdb"},
    pool=DUCKDB_POOL,
)
def raw_quarantine(context: dg.AssetCheckExecutionContext):
    """Fail for each raw table whose last load set records aside as unreadable."""
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    with context.resources.duckdb.get_connection() as con:
        for obj in SOURCE_OBJECTS:
            if raw_asset_key(obj) not in selected:
                continue
            label = object_label(obj)
            total = con.execute("SELECT count(*) FROM meta.quarantine WHERE object = ?", [label]).fetchall()[0][0]
            rows = con.execute(
                "SELECT record_key, reason FROM meta.quarantine WHERE object = ? ORDER BY record_key LIMIT ?",
                [label, QUARANTINE_SHOWN],
            ).fetchall()
            yield dg.AssetCheckResult(
                asset_key=raw_asset_key(obj),
                check_name=QUARANTINE_CHECK,
                passed=total == 0,
                metadata={
                    "quarantined": total,
                    "records": dg.MetadataValue.md("\n".join(f"- `{key}`: {reason}" for key, reason in rows) or "none"),
                },
            )


RAW_CHECKS = (raw_expectations, raw_quarantine)
