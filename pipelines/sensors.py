"""The run-failure sensor: a failed night is logged, and e-mailed when e-mail is configured."""

import dagster as dg

from assets.reports.mail import send_text
from pipelines.jobs import nightly_audit_job
from pipelines.resources import ReportsResource


def failure_message(context: dg.RunFailureSensorContext) -> tuple[str, str]:
    """The subject and body that report a failed night."""
    run = context.dagster_run
    error = context.failure_event.message if context.failure_event else "unknown error"
    subject = f"lnr-audit: the nightly audit failed (run {run.run_id[:8]})"
    body = f"The run {run.run_id} of {run.job_name} failed.\n\n{error}\n\nOpen the Dagster UI for the full log."
    return subject, body


@dg.run_failure_sensor(
    name="nightly_audit_failure",
    monitored_jobs=[nightly_audit_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Reports a failed nightly audit in the log, and by e-mail when SMTP is configured.",
)
def nightly_audit_failure(context: dg.RunFailureSensorContext, reports: ReportsResource) -> None:
    """Log and e-mail the failure of a nightly run."""
    subject, body = failure_message(context)
    context.log.error(f"{subject}\n{body}")
    smtp = reports.smtp_settings()
    if smtp is not None:
        send_text(smtp, subject, body)
