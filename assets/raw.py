"""Raw extraction assets: one per declared source object, grouped per system."""

import datetime as dt

import dagster as dg
from pydantic import Field

from asset_keys import DUCKDB_POOL, raw_asset_key
from assets.extraction import extract
from assets.raw_store import RawNight
from checks.raw_validation import awaits_validation
from checks.validation_process import VALIDATION_PROCESS
from connectors.schema import SOURCE_OBJECTS, SourceObject


class ExtractionConfig(dg.Config):
    """Per-run extraction options."""

    full_refresh: bool = False
    accept_source_shape: bool = Field(
        default=False,
        description="Swap in loads that empty or shrink an object beyond the allowed drop (held back otherwise).",
    )


def _moment(value: dt.datetime | None) -> str:
    """An ISO timestamp for metadata, or "never"."""
    return value.isoformat(timespec="seconds") if value else "never"


def build_raw_asset(obj: SourceObject) -> dg.AssetsDefinition:
    """The asset that extracts `obj` into its raw table."""

    @dg.asset(
        key=raw_asset_key(obj),
        group_name=f"raw_{obj.system}",
        kinds={obj.system, "duckdb"},
        pool=DUCKDB_POOL,
        required_resource_keys={obj.system, "duckdb", "audit_settings"},
        description=(
            f"Every {obj.system} {obj.name} record, extracted incrementally on {obj.watermark} into {obj.table}."
        ),
    )
    def _extract(context: dg.AssetExecutionContext, config: ExtractionConfig) -> dg.MaterializeResult:
        client = getattr(context.resources, obj.system).client()
        night = RawNight(context.resources.audit_settings.audit_date(), context.run.run_id)
        with context.resources.duckdb.get_connection() as con:
            policy = context.resources.audit_settings.extraction_policy()
            result = extract(
                con,
                client,
                obj,
                full=config.full_refresh,
                policy=policy,
                accept_shape=config.accept_source_shape,
                night=night,
            )
            if awaits_validation(con, obj):
                VALIDATION_PROCESS.start()  # great-expectations' import runs beside the rest of the extraction
        if result.held:
            context.log.warning(f"{result.object}: load held, the previous snapshot is kept: {result.held}")
        if result.quarantined:
            context.log.warning(
                f"{result.quarantined} {result.object} record(s) could not be loaded; see meta.quarantine"
            )
        context.log.info(
            f"{result.object}: {result.mode} load by {result.path} ({result.path_reason or 'one path'}), "
            f"{result.records_read} records read, "
            f"{result.rows} rows, {result.api_calls} API calls, {result.jobs} jobs, {result.polls} polls, "
            f"{result.deleted} deleted, {result.seconds:.2f} s"
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "records_read": result.records_read,
                "api_calls": result.api_calls,
                "mode": result.mode,
                "path": result.path,
                "path_reason": result.path_reason,
                "jobs": result.jobs,
                "polls": result.polls,
                "deleted": result.deleted,
                "since": str(result.since) if result.since else "",
                "seconds": round(result.seconds, 3),
                "records_per_second": round(result.records_per_second, 1),
                "quarantined": result.quarantined,
                "deletions_reconciled": result.reconciled,
                "last_reconciled_at": _moment(result.reconciliation.reconciled_at),
                "last_full_load_at": _moment(result.reconciliation.full_loaded_at),
                "duplicates_quarantined": result.duplicates,
                "held": result.held or "no",
                "night": str(night.as_of),
            }
        )

    return _extract


RAW_ASSETS = tuple(build_raw_asset(obj) for obj in SOURCE_OBJECTS)
