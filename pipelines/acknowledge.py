"""Acknowledging a finding from the Dagster UI: a job launched from the Launchpad with the finding, a reason and a
date, recorded by the same function as `lnr-audit ack`."""


import datetime as dt

import dagster as dg
from pydantic import Field

from asset_keys import DUCKDB_POOL
from checks.history import HistoryError, acknowledge

ACKNOWLEDGE_JOB_NAME = "acknowledge_finding"


class AcknowledgeConfig(dg.Config):
    """Which finding to acknowledge, why, and until when."""

    finding_id: str = Field(description="the finding's id, as the rule check's findings table shows it")
    reason: str = Field(description="why the finding needs no action for now (e.g. a ticket number)")
    until: str = Field(description="YYYY-MM-DD: the acknowledgement expires on this date")


@dg.op(required_resource_keys={"duckdb"}, pool=DUCKDB_POOL)
def acknowledge_finding_op(context: dg.OpExecutionContext, config: AcknowledgeConfig) -> None:
    """Record the acknowledgement in the findings history; a clear failure for a bad date or an unknown finding."""
    try:
        until = dt.date.fromisoformat(config.until.strip())
    except ValueError:
        raise dg.Failure(f"until must be a date YYYY-MM-DD, not {config.until!r}") from None
    if until <= dt.datetime.now(dt.UTC).date():
        raise dg.Failure(f"until {until} is not in the future: the acknowledgement would already be expired")
    with context.resources.duckdb.get_connection() as con:
        try:
            acknowledge(con, config.finding_id.strip(), config.reason, until, by=f"dagster run {context.run_id}")
        except HistoryError as exc:
            raise dg.Failure(str(exc)) from None
    context.log.info(f"acknowledged {config.finding_id.strip()} until {until}: {config.reason.strip()}")
    context.instance.add_run_tags(context.run_id, {"lnr/acknowledged": config.finding_id.strip()})


@dg.job(
    name=ACKNOWLEDGE_JOB_NAME,
    description="Acknowledge a finding (run config: finding_id, reason, until). It stays listed, marked as "
    "acknowledged, and no longer fails its rule's check from the next night on, until the date.",
    tags={"lnr/kind": "acknowledgement"},
)
def acknowledge_finding_job() -> None:
    """Acknowledge one finding."""
    acknowledge_finding_op()
