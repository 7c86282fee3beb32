"""Runs left started by a process that died: recognised by their process tags, marked failed at the next start."""

from __future__ import annotations

import os
import socket

import dagster as dg

from assets.processes import process_alive

PID_TAG = "lnr-audit/pid"
HOST_TAG = "lnr-audit/host"
UNFINISHED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def process_tags() -> dict[str, str]:
    """The tags that name the process running a run: its pid and host."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run of this host whose process is gone; returns their run ids."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: socket.gethostname()}))
    abandoned = []
    for run in runs:
        pid = int(run.tags.get(PID_TAG) or 0)
        if pid and pid != os.getpid() and not process_alive(pid):
            instance.report_run_failed(
                run, f"lnr-audit: the process of this run (pid {pid}) ended without finishing it; marked failed"
            )
            abandoned.append(run.run_id)
    return abandoned
