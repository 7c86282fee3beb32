"""Dagster asset checks on the raw tables: great-expectations validation and the quarantine."""


import dagster as dg

from assets.raw import raw_asset_key
from assets.raw_store import object_label
from checks.expectations import validate_frame
from connectors.schema import SOURCE_OBJECTS, SourceObject


def build_expectations_check(obj: SourceObject) -> dg.AssetChecksDefinition:
    """The check that validates `obj`'s raw table with its declared expectations."""

    @dg.asset_check(
        asset=raw_asset_key(obj),
        name="raw_expectations",
        required_resource_keys={"duckdb"},
        description="Ids present and unique, enums in their allowed values, plausible dates, non-negative amounts.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        with context.resources.duckdb.get_connection() as con:
            table = con.sql(f"SELECT * FROM {obj.table}").to_arrow_table()
        outcomes = validate_frame(obj, table)
        failed = [o for o in outcomes if not o.success]
        return dg.AssetCheckResult(
            passed=not failed,
            metadata={
                "expectations": len(outcomes),
                "failed": len(failed),
                "failures": dg.MetadataValue.md(
                    "\n".join(
                        f"- `{o.expectation}` on `{o.column}`: {o.unexpected_count} unexpected, e.g. {', '.join(o.examples)}"
                        for o in failed
                    )
                    or "none"
                ),
            },
        )

    return _check


def build_quarantine_check(obj: SourceObject) -> dg.AssetChecksDefinition:
    """The check that fails when records of `obj` could not be loaded at all."""

    @dg.asset_check(
        asset=raw_asset_key(obj),
        name="no_quarantined_records",
        required_resource_keys={"duckdb"},
        description="Every extracted record could be read as its declared types (the rest sit in meta.quarantine).",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        with context.resources.duckdb.get_connection() as con:
            rows = con.execute(
                "SELECT record_key, reason FROM meta.quarantine WHERE object = ? ORDER BY record_key LIMIT 50",
                [object_label(obj)],
            ).fetchall()
            total = con.execute("SELECT count(*) FROM meta.quarantine WHERE object = ?", [object_label(obj)]).fetchone()[0]
        return dg.AssetCheckResult(
            passed=total == 0,
            metadata={
                "quarantined": total,
                "records": dg.MetadataValue.md("\n".join(f"- `{key}`: {reason}" for key, reason in rows) or "none"),
            },
        )

    return _check


RAW_CHECKS = tuple(
    check for obj in SOURCE_OBJECTS for check in (build_expectations_check(obj), build_quarantine_check(obj))
)
