"""Acknowledging a finding through the Dagster job the Launchpad runs, and the schedule's configurable state."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import pytest

from checks.findings import FINDING_COLUMNS
from checks.history import current_findings, merge_night
from pipelines.acknowledge import ACKNOWLEDGE_JOB_NAME
from pipelines.database import open_database
from pipelines.definitions import build_definitions
from pipelines.schedules import nightly_schedule
from pipelines.settings import resources_from_environment

NIGHT = dt.date(2026, 6, 15)
FINDING = "F-0123456789abcdef"


@pytest.fixture
def database(tmp_path):
    """A DuckDB file whose history holds one night with one finding."""
    path = tmp_path / "lnr_audit.duckdb"
    finding = {column: None for column in FINDING_COLUMNS} | {
        "finding_id": FINDING, "rule_id": "seat_count_mismatch", "subject_id": "A-S0001", "severity": "high",
        "category": "licensing", "summary": "25 seats billed, license has 20", "evidence": "{}",
    }
    con = open_database(path, read_only=False)
    merge_night(con, pl.DataFrame([finding], schema={c: pl.String for c in FINDING_COLUMNS}), NIGHT, "run-1")
    con.close()
    return path


def launch(database, **config):
    defs = build_definitions(resources_from_environment({"LNR_DUCKDB_PATH": str(database)}))
    job = defs.resolve_job_def(ACKNOWLEDGE_JOB_NAME)
    instance = dg.DagsterInstance.ephemeral()
    run_config = {"ops": {"acknowledge_finding_op": {"config": config}}}
    return job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False), instance


def known(database) -> dict:
    con = open_database(database, read_only=True)
    try:
        [row] = current_findings(con, NIGHT).to_dicts()
    finally:
        con.close()
    return row


def test_the_job_records_the_acknowledgement_as_the_command_line_does(database):
    until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    result, instance = launch(database, finding_id=FINDING, reason="ZBILL-42 credit note pending", until=str(until))

    assert result.success
    row = known(database)
    assert (row["acknowledged"], row["ack_reason"], row["ack_until"]) == (True, "ZBILL-42 credit note pending", until)
    assert instance.get_run_by_id(result.run_id).tags["lnr/acknowledged"] == FINDING


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"finding_id": "F-ffffffffffffffff", "until": "2099-01-01"}, "no finding F-ffffffffffffffff"),
        ({"finding_id": FINDING, "until": "2020-01-01"}, "not in the future"),
        ({"finding_id": FINDING, "until": "next week"}, "must be a date YYYY-MM-DD"),
    ],
)
def test_a_bad_acknowledgement_fails_the_run_with_a_clear_message_and_records_nothing(database, config, message):
    result, _ = launch(database, reason="because", **config)

    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert message in failure.step_failure_data.error.message
    assert known(database)["acknowledged"] is False


def test_the_schedule_starts_stopped_when_asked(monkeypatch):
    assert nightly_schedule().default_status == dg.DefaultScheduleStatus.RUNNING
    monkeypatch.setenv("LNR_SCHEDULE_STATUS", "stopped")
    assert nightly_schedule().default_status == dg.DefaultScheduleStatus.STOPPED
    monkeypatch.setenv("LNR_SCHEDULE_STATUS", "paused")
    with pytest.raises(ValueError, match="running or stopped"):
        nightly_schedule()
