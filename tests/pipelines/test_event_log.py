"""The event log with kept-open connections: Dagster's own storage reads what it wrote, the UI still follows a
running run, and the databases it keeps open stay few."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
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
