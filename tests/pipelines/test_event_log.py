"""The event log with kept-open connections: Dagster's own storage reads what it wrote, the UI still follows a
running run, the databases it keeps open stay few, and a batch of events costs one transaction per database."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.event_log import OPEN_RUNS, KeptOpenSqliteEventLogStorage
from pipelines.nightly import dagster_instance

WATCH_PATIENCE_SECONDS = 10


@dg.asset
def counted() -> int:
    """An asset whose run writes materialization and step events."""
    return 1


@dg.asset_check(asset=counted)
def counted_is_positive(counted: int) -> dg.AssetCheckResult:
    """A check whose run writes check events to the cross-run index."""
    return dg.AssetCheckResult(passed=counted > 0)


def _log_entry(run_id: str, message: str) -> EventLogEntry:
    """A plain log message of run `run_id`."""
    return EventLogEntry(
        error_info=None,
        level="INFO",
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


def _open_runs(base_dir: Path) -> int:
    """How many run databases under `base_dir` this process holds open."""
    opened = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        opened += target.startswith(str(base_dir / "run-")) and target.endswith(".db")
    return opened


@pytest.fixture(scope="module")
def planned_events(tmp_path_factory) -> list[EventLogEntry]:
    """The events a real run on the project's instance planned before it started (its asset's and its check's)."""
    instance = dagster_instance(tmp_path_factory.mktemp("planned") / "home")
    result = dg.materialize([counted, counted_is_positive], instance=instance)
    assert result.success
    records = instance.event_log_storage.get_records_for_run(result.run_id).records
    planned = (dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED, dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
    events = [record.event_log_entry for record in records if record.event_log_entry.dagster_event_type in planned]
    assert {event.dagster_event_type for event in events} == set(planned)
    return events


def _planned_check(events: list[EventLogEntry]) -> dg.AssetCheckKey:
    """The check that `events` plan to evaluate."""
    (key,) = {
        event.dagster_event.asset_check_planned_data.asset_check_key
        for event in events
        if event.dagster_event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
    }
    return key


def _commits_during(action) -> int:
    """How many SQLite commits `action()` makes."""
    commits = []

    def count(connection) -> None:
        commits.append(connection)

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "commit", count)
    try:
        action()
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "commit", count)
    return len(commits)


@pytest.mark.slow  # a Dagster run on an instance of its own
def test_a_batch_of_events_is_stored_in_one_transaction_per_database(tmp_path, planned_events):
    storage = KeptOpenSqliteEventLogStorage(str(tmp_path))
    one_by_one = [event._replace(run_id="run-single") for event in planned_events]
    batch = [event._replace(run_id="run-batch") for event in planned_events]
    for run_id in ("run-single", "run-batch"):
        storage.store_event(_log_entry(run_id, "created"))  # the run's database created beforehand

    singly = _commits_during(lambda: [storage.store_event(event) for event in one_by_one])
    batched = _commits_during(lambda: storage.store_event_batch(batch))

    assert batched == 2  # the run's database and the cross-run index
    assert singly > 2 * len(planned_events)
    dagsters = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    stored = [record.event_log_entry for record in dagsters.get_records_for_run("run-batch").records]
    assert [event.dagster_event_type for event in stored[1:]] == [event.dagster_event_type for event in batch]
    check_key = _planned_check(batch)
    assert {execution.run_id for execution in dagsters.get_asset_check_execution_history(check_key, limit=5)} == {
        "run-single",
        "run-batch",
    }
    storage.dispose()


@pytest.mark.slow  # a Dagster run on an instance of its own
def test_a_batch_that_fails_stores_none_of_its_events_and_the_storage_goes_on(tmp_path, planned_events):
    storage = KeptOpenSqliteEventLogStorage(str(tmp_path))
    batch = [event._replace(run_id="run-failed") for event in planned_events]

    with pytest.raises(Exception, match="event"):
        storage.store_event_batch([*batch, None])  # Dagster's own check refuses the last one

    assert storage.get_records_for_run("run-failed").records == []
    check_key = _planned_check(batch)
    assert storage.get_asset_check_execution_history(check_key, limit=5) == []
    storage.store_event(_log_entry("run-failed", "after"))
    assert [r.event_log_entry.user_message for r in storage.get_records_for_run("run-failed").records] == ["after"]
    storage.dispose()


@pytest.mark.slow  # a Dagster run on an instance of its own
def test_the_projects_instance_writes_events_dagsters_own_storage_reads(tmp_path):
    home = tmp_path / "home"
    instance = dagster_instance(home)
    assert isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)

    result = dg.materialize([counted, counted_is_positive], instance=instance)

    assert result.success
    dagsters = SqliteEventLogStorage(str(home / "history" / "runs"))
    written = [
        record.event_log_entry for record in instance.event_log_storage.get_records_for_run(result.run_id).records
    ]
    read = [record.event_log_entry for record in dagsters.get_records_for_run(result.run_id).records]
    assert read == written
    assert {entry.dagster_event_type for entry in read if entry.dagster_event} >= {
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION,
        dg.DagsterEventType.RUN_SUCCESS,
    }
    check = dagsters.get_latest_asset_check_execution_by_key([counted_is_positive.check_keys.pop()])
    assert [execution.run_id for execution in check.values()] == [result.run_id]


def test_a_watcher_of_a_run_sees_each_event_while_the_writer_keeps_its_connection(tmp_path):
    writer = KeptOpenSqliteEventLogStorage(str(tmp_path))
    writer.store_event(_log_entry("run-1", "started"))
    seen: list[str] = []
    arrived = threading.Event()

    def on_event(entry: EventLogEntry, cursor: str) -> None:
        seen.append(entry.user_message)
        arrived.set()

    reader = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    reader.watch("run-1", None, on_event)
    try:
        for message in ("one", "two"):
            arrived.clear()
            writer.store_event(_log_entry("run-1", message))
            assert arrived.wait(WATCH_PATIENCE_SECONDS), f"the watcher never saw {message!r}"
    finally:
        reader.end_watch("run-1", on_event)
        reader.dispose()
        writer.dispose()
    assert seen[-1] == "two"
    assert "one" in seen


def test_the_run_databases_kept_open_stay_few_and_a_wipe_closes_them(tmp_path):
    storage = KeptOpenSqliteEventLogStorage(str(tmp_path))
    base_dir = tmp_path / "history" / "runs"
    for run in range(3 * OPEN_RUNS):
        storage.store_event(_log_entry(f"run-{run}", "hello"))
        assert _open_runs(base_dir) == min(run + 1, OPEN_RUNS)
    assert [r.event_log_entry.user_message for r in storage.get_records_for_run("run-0").records] == ["hello"]

    storage.wipe()

    assert sorted(path.name for path in base_dir.glob("run-*")) == []
    assert _open_runs(base_dir) == 0
    storage.store_event(_log_entry("run-after", "again"))
    assert [r.event_log_entry.user_message for r in storage.get_records_for_run("run-after").records] == ["again"]
    storage.dispose()
    assert _open_runs(base_dir) == 0
