"""Raw extraction assets: one per declared source object, grouped per system."""

import dagster as dg

from assets.extraction import extract
from connectors.schema import SOURCE_OBJECTS, SourceObject

DUCKDB_POOL = "duckdb"


class ExtractionConfig(dg.Config):
    """Per-run extraction options."""

    full_refresh: bool = False


def raw_asset_key(obj: SourceObject) -> dg.AssetKey:
    """The asset key of `obj`'s raw table, e.g. raw_zuora/subscription."""
    return dg.AssetKey([f"raw_{obj.system}", obj.name.lower()])


def build_raw_asset(obj: SourceObject) -> dg.AssetsDefinition:
    """The asset that extracts `obj` into its raw table."""

    @dg.asset(
        key=raw_asset_key(obj),
        group_name=f"raw_{obj.system}",
        kinds={obj.system, "duckdb"},
        pool=DUCKDB_POOL,
        required_resource_keys={obj.system, "duckdb"},
        description=(
            f"Every {obj.system} {obj.name} record, extracted incrementally on {obj.watermark} into {obj.table}."
        ),
    )
    def _extract(context: dg.AssetExecutionContext, config: ExtractionConfig) -> dg.MaterializeResult:
        client = getattr(context.resources, obj.system).client()
        with context.resources.duckdb.get_connection() as con:
            result = extract(con, client, obj, full=config.full_refresh)
        if result.quarantined:
            context.log.warning(
                f"{result.quarantined} {result.object} record(s) could not be loaded; see meta.quarantine"
            )
        context.log.info(
            f"{result.object}: {result.mode} load, {result.records_read} records read, {result.rows} rows, "
            f"{result.api_calls} API calls, {result.seconds:.2f} s"
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "records_read": result.records_read,
                "api_calls": result.api_calls,
                "mode": result.mode,
                "since": str(result.since) if result.since else "",
                "seconds": round(result.seconds, 3),
                "records_per_second": round(result.records_per_second, 1),
                "quarantined": result.quarantined,
                "deletions_reconciled": result.reconciled,
            }
        )

    return _extract


RAW_ASSETS = tuple(build_raw_asset(obj) for obj in SOURCE_OBJECTS)
