"""The nightly schedule, at a configurable time and time zone."""

import dagster as dg

from pipelines.jobs import nightly_audit_job
from pipelines.settings import setting

STATUSES = {"running": dg.DefaultScheduleStatus.RUNNING, "stopped": dg.DefaultScheduleStatus.STOPPED}


def nightly_schedule(cron: str | None = None, timezone: str | None = None) -> dg.ScheduleDefinition:
    """The schedule of the nightly audit (default 03:00 UTC; LNR_SCHEDULE_CRON / LNR_SCHEDULE_TIMEZONE), running
    unless LNR_SCHEDULE_STATUS is `stopped` (as in the demo UI)."""
    return dg.ScheduleDefinition(
        name="nightly_audit_schedule",
        job=nightly_audit_job,
        cron_schedule=cron or setting("LNR_SCHEDULE_CRON"),
        execution_timezone=timezone or setting("LNR_SCHEDULE_TIMEZONE"),
        default_status=STATUSES[setting("LNR_SCHEDULE_STATUS")],
        description="Runs the whole audit every night.",
    )
