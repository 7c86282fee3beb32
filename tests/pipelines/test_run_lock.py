"""One audit at a time: the run lock beside the database, refused second runs, killed runs taken over."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from assets.raw_store import connect
from pipelines.nightly import dagster_instance, run_nightly
from pipelines.resources import AuditDatabase
from pipelines.run_lock import AuditRunning, current_holder, held_run_lock, lock_path
from sandbox.servers import SandboxServers
from sandbox.world import read_manifest
from tests.pipelines.sandbox_nights import sandbox_resources

pytestmark = pytest.mark.slow  # Dagster runs in processes of their own, killed mid-run

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "lnr-audit"

HOLDER = """
import sys, time
from pathlib import Path
from pipelines.run_lock import held_run_lock
with held_run_lock(Path(sys.argv[1]), sys.argv[2]):
    print("ready", flush=True)
    time.sleep(600)
"""


@contextmanager
def process(code: str, *args: str, ready: str = "ready") -> Iterator[subprocess.Popen]:
    """A Python process running `code`, once it has printed `ready`; killed at the end if still running."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().strip()
        assert line == ready, f"{line!r}: {proc.stderr.read() if proc.poll() is not None else ''}"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_a_second_lnr_audit_run_is_refused_naming_the_running_audit(tmp_path):
    database = tmp_path / "audit.duckdb"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "LNR_DUCKDB_PATH": str(database),
        "LNR_ZUORA_BASE_URL": "http://127.0.0.1:9",
        "LNR_ZUORA_CLIENT_ID": "id",
        "LNR_ZUORA_CLIENT_SECRET": "secret",
        "LNR_SALESFORCE_INSTANCE_URL": "127.0.0.1:9",
        "LNR_CUSTOMERSDOT_DATABASE_URL": "postgresql://lnr@127.0.0.1:9/customers_db",
    }
    with process(HOLDER, str(database), "night-one") as holder:
        done = subprocess.run([str(SCRIPT), "run"], env=env, capture_output=True, text=True, timeout=120)
        assert holder.poll() is None
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(
        f"lnr-audit: another audit is running on {database}: run night-one (pid {holder.pid} on {socket.gethostname()}"
    ), done.stderr
    assert not database.exists(), "the refused run touched nothing"
    assert not dagster_instance(tmp_path / "home").get_run_records(), "the refused run started no Dagster run"


def test_a_second_demo_in_the_same_folder_is_refused_before_it_touches_the_world(tmp_path):
    out = tmp_path / "demo"
    with process(HOLDER, str(out / "lnr_audit.duckdb"), "first-demo") as holder:
        done = subprocess.run(
            [str(SCRIPT), "demo", "--out", str(out), "--customers", "20"], capture_output=True, text=True, timeout=120
        )
        assert holder.poll() is None
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"run first-demo (pid {holder.pid} on {socket.gethostname()}" in done.stderr
    assert sorted(path.name for path in out.iterdir()) == ["lnr_audit.duckdb.run-lock"]


def test_a_lock_left_by_a_killed_audit_is_taken_over_with_a_log_line(tmp_path, caplog):
    database = tmp_path / "audit.duckdb"
    with process(HOLDER, str(database), "killed-night") as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert current_holder(database).pid == holder.pid, "the dead holder's name stays in the lock file"
    with caplog.at_level(logging.WARNING, logger="pipelines.run_lock"):
        with held_run_lock(database, "next-night") as previous:
            assert (previous.run_id, previous.pid) == ("killed-night", holder.pid)
            assert current_holder(database).run_id == "next-night"
    assert f"took over the run lock of run killed-night (pid {holder.pid} on " in caplog.text
    assert "its process is gone" in caplog.text
    assert current_holder(database) is None, "a released lock names nobody"
    with held_run_lock(database, "third-night") as previous:
        assert previous is None


def test_the_lock_is_reentrant_for_its_run_and_refuses_another_run_in_the_same_process(tmp_path):
    database = tmp_path / "audit.duckdb"
    with held_run_lock(database, "run-a"):
        with held_run_lock(tmp_path / "." / "audit.duckdb", "run-a") as previous:
            assert previous is None
        with pytest.raises(AuditRunning, match="run run-a"):
            with held_run_lock(database, "run-b"):
                pass
        assert current_holder(database).run_id == "run-a", "the re-entered lock is still held"
    assert lock_path(database) == tmp_path / "audit.duckdb.run-lock"


SLOW_RUN = """
import sys, time
from pathlib import Path
import dagster as dg
from pipelines.nightly import dagster_instance
from pipelines.resources import AuditDatabase

@dg.asset(required_resource_keys={"duckdb"})
def slow_night(context):
    with context.resources.duckdb.get_connection() as con:
        con.execute("CREATE TABLE IF NOT EXISTS nights (run_id VARCHAR)")
        con.execute("INSERT INTO nights VALUES (?)", [context.run.run_id])
    print("ready", context.run.run_id, flush=True)
    time.sleep(600)

dg.materialize([slow_night], instance=dagster_instance(Path(sys.argv[2])),
               resources={"duckdb": AuditDatabase(database=sys.argv[1])})
"""


@dg.asset(required_resource_keys={"duckdb"})
def quick_night(context):
    """A night that records its run id."""
    with context.resources.duckdb.get_connection() as con:
        con.execute("CREATE TABLE IF NOT EXISTS nights (run_id VARCHAR)")
        con.execute("INSERT INTO nights VALUES (?)", [context.run.run_id])


def test_dagster_runs_hold_the_lock_and_a_killed_run_is_marked_failed_at_the_next_start(tmp_path):
    database, home = tmp_path / "audit.duckdb", tmp_path / "home"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, str(database), str(home)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        word, killed_run = proc.stdout.readline().split()
        assert word == "ready", proc.stderr.read()
        instance = dagster_instance(home)
        refused = dg.materialize(
            [quick_night], instance=instance, resources={"duckdb": AuditDatabase(database=str(database))},
            raise_on_error=False,
        )
        assert not refused.success
        failure = next(event for event in refused.all_events if event.is_failure)
        assert f"another audit is running on {database}: run {killed_run} (pid {proc.pid}" in str(
            failure.event_specific_data.error
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert instance.get_run_by_id(killed_run).status == dg.DagsterRunStatus.STARTED

    database_resource = AuditDatabase(database=str(database))
    after = dg.materialize([quick_night], instance=instance, resources={"duckdb": database_resource})

    assert after.success
    assert instance.get_run_by_id(killed_run).status == dg.DagsterRunStatus.FAILURE
    messages = [entry.user_message for entry in instance.all_logs(after.run_id)]
    assert any(f"took over the run lock of run {killed_run} (pid {proc.pid}" in m for m in messages), messages
    assert any(f"run {killed_run} was left started by a process that is gone" in m for m in messages), messages
    with connect(str(database), read_only=True) as con:
        assert sorted(r[0] for r in con.execute("SELECT run_id FROM nights").fetchall()) == sorted(
            [killed_run, after.run_id]
        )


NIGHT = """
import sys
from pathlib import Path
from pipelines.nightly import dagster_instance, run_nightly
from pipelines.run_lock import current_holder
from pipelines.settings import resources_from_environment, sandbox_environment
from sandbox.servers import SandboxServers
from sandbox.world import read_manifest

world, out = Path(sys.argv[1]), Path(sys.argv[2])
with SandboxServers(world) as servers:
    env = sandbox_environment(servers.endpoints, str(out / "db.duckdb"), read_manifest(world).as_of, str(out))
    resources = resources_from_environment(env)
    print("ready", flush=True)
    summary = run_nightly(resources, dagster_instance(out / "home-a"))
print("done", summary.success, summary.run_id, flush=True)
"""


def test_two_nights_at_once_on_one_database_one_is_refused_and_the_history_is_the_others(small_world, tmp_path):
    database = tmp_path / "db.duckdb"
    with process(NIGHT, str(small_world), str(tmp_path)) as first:
        deadline = time.monotonic() + 120
        while current_holder(database) is None:
            assert time.monotonic() < deadline and first.poll() is None, first.stderr.read()
            time.sleep(0.05)
        with SandboxServers(small_world) as servers:
            resources = sandbox_resources(servers.endpoints, database, read_manifest(small_world).as_of, tmp_path)
            with pytest.raises(AuditRunning, match=f"run {current_holder(database).run_id} \\(pid {first.pid} on"):
                run_nightly(resources, dagster_instance(tmp_path / "home-b"))
        word, success, first_run = first.stdout.readline().split()
        assert (word, success) == ("done", "True"), first.stderr.read()
    assert not dagster_instance(tmp_path / "home-b").get_run_records(), "the refused night started no run"
    with connect(str(database), read_only=True) as con:
        runs = con.execute("SELECT DISTINCT run_id FROM audit.finding_events").fetchall()
    assert runs == [(first_run,)]
