"""The Fulfillment reports asset: tonight's CSVs written, then e-mailed and/or copied."""

from pathlib import Path

import dagster as dg

from asset_keys import DUCKDB_POOL, FINDINGS_KEY, REPORTS_KEY, SCORECARD_KEY
from assets.report_data import report_frames
from assets.reports import deliver, write_reports
from assets.reports.digest import build_digest
from checks.record_links import record_links


class DeliveryFailed(RuntimeError):
    """A report delivery that failed after its retries; the report files are kept."""


@dg.asset(
    key=REPORTS_KEY,
    group_name="reports",
    kinds={"csv", "email"},
    deps=[FINDINGS_KEY, SCORECARD_KEY],
    required_resource_keys={"duckdb", "audit_settings", "reports"},
    pool=DUCKDB_POOL,
)
def fulfillment_reports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The night's findings as CSV files for Fulfillment, delivered as configured with the morning digest."""
    as_of = context.resources.audit_settings.audit_date()
    settings = context.resources.reports
    with context.resources.duckdb.get_connection() as con:
        known, summary = report_frames(con, as_of)
    bases = settings.link_bases()
    files = write_reports(known, summary, Path(settings.directory), as_of, bases)
    digest = build_digest(known, summary, as_of, lambda row: record_links(row, bases))
    results = deliver(
        files,
        settings.smtp_settings(),
        Path(settings.copy_to) if settings.copy_to else None,
        digest=digest,
        hook=settings.webhook_settings(),
        always=settings.digest_always,
    )
    for result in results:
        log = context.log.info if result.ok else context.log.error
        log(
            f"delivery by {result.channel} to {result.target}: {'ok' if result.ok else result.error} "
            f"after {result.attempts} attempt(s)"
        )
    metadata = {
        "folder": dg.MetadataValue.path(str(files.folder)),
        "digest_alerts": len(digest.alerts),
        "digest_sent": any(r.channel in ("email", "webhook") and r.ok for r in results),
        **{path.name: dg.MetadataValue.path(str(path)) for path in files.paths},
        **{f"delivered_by_{r.channel}": r.ok for r in results},
    }
    failed = [r for r in results if not r.ok]
    if failed:
        raise DeliveryFailed(
            "report delivery failed: "
            + "; ".join(f"{r.channel} to {r.target}: {r.error}" for r in failed)
            + f" (the reports are kept in {files.folder})"
        )
    return dg.MaterializeResult(metadata=metadata)

