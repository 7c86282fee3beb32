"""The one Definitions object of lnr-audit: assets, checks, the nightly job, schedule, sensor, resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from assets.audit import audit_results, staging_views
from assets.fulfillment import fulfillment_reports
from assets.overview import unresolved_findings
from assets.raw import RAW_ASSETS
from assets.trend_report import finding_trend_report
from checks.raw_checks import RAW_CHECKS
from checks.rule_checks import rule_checks
from pipelines.acknowledge import acknowledge_finding_job
from pipelines.jobs import nightly_audit_job
from pipelines.schedules import nightly_schedule
from pipelines.sensors import nightly_audit_failure
from pipelines.settings import resources_from_environment


def build_definitions(resources: Mapping[str, Any]) -> dg.Definitions:
    """The Definitions of lnr-audit bound to `resources`."""
    return dg.Definitions(
        assets=[
            *RAW_ASSETS,
            staging_views,
            audit_results,
            unresolved_findings,
            finding_trend_report,
            fulfillment_reports,
        ],
        asset_checks=[RAW_CHECKS, rule_checks],
        jobs=[nightly_audit_job, acknowledge_finding_job],
        schedules=[nightly_schedule()],
        sensors=[nightly_audit_failure],
        resources=dict(resources),
        # One process per run: its steps share one DuckDB writer anyway, and that process holds the run lock.
        executor=dg.in_process_executor,
    )


defs = build_definitions(resources_from_environment())
