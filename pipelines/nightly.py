"""Running the nightly job in-process on the resources it is given, and summarising the run."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from assets.audit import audit_results, staging_views
from assets.raw import RAW_ASSETS
from pipelines.abandoned_runs import process_tags
from pipelines.definitions import build_definitions
from pipelines.jobs import AUDIT_RUN_TAG, NIGHTLY_JOB_NAME
from pipelines.run_lock import held_run_lock
from pipelines.settings import dagster_home_named

INSTANCE_SETTINGS = f"""\
event_log_storage:
  module: pipelines.event_log
  class: KeptOpenSqliteEventLogStorage
  config:
    dagster_home:
      env: DAGSTER_HOME
telemetry:
  enabled: false
nux:
  enabled: false
concurrency:
  runs:
    tag_concurrency_limits:
      - key: "{AUDIT_RUN_TAG}"
        limit: 1
"""
# For the UI's instance, beside the run lock: one step that opens DuckDB at a time across all the instance's runs.
# Each run's steps run in one process, one after the other, already.
POOL_SETTINGS = """\
  pools:
    default_limit: 1
"""


@dataclass
class NightSummary:
    """What one nightly run did: per raw object rows and API calls, findings counts, time, success."""

    as_of: str
    success: bool
    seconds: float
    run_id: str
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def dagster_instance(home: Path, *, limit_pools: bool = False) -> dg.DagsterInstance:
    """A persistent Dagster instance in `home`, so runs and check history survive for the UI.

    An existing `dagster.yaml` is the operator's and is never rewritten; the project's settings are written
    only where there is none.
    """
    home.mkdir(parents=True, exist_ok=True)
    _create_once(home / "dagster.yaml", INSTANCE_SETTINGS + (POOL_SETTINGS if limit_pools else ""))
    with dagster_home_named(home):
        return dg.DagsterInstance.from_config(str(home))


def _create_once(path: Path, text: str) -> None:
    """Write `path` whole unless it exists (a file that appears meanwhile wins)."""
    if path.exists():
        return
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    temp.write_text(text, encoding="utf-8")
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()


def new_run_id() -> str:
    """A fresh Dagster run id."""
    return str(uuid.uuid4())


def run_nightly(
    resources: Mapping[str, Any],
    instance: dg.DagsterInstance,
    *,
    full_refresh: bool = False,
    allow_mixed_nights: bool = False,
    full_audit: bool = False,
    log_level: str = "WARNING",
    run_id: str | None = None,
) -> NightSummary:
    """Execute the nightly job once in-process and summarise it (the run's failure is reported, not raised).

    The database's run lock is taken before the run starts: AuditRunning, naming the running audit, when another
    audit holds it (a caller that holds it already passes its `run_id`). The audit refuses raw tables of
    different nights unless `allow_mixed_nights`, and with `full_audit` evaluates every rule afresh, even those
    whose inputs did not change.
    """
    job = build_definitions(resources).resolve_job_def(NIGHTLY_JOB_NAME)
    run_config: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    audit_config = {"config": {"allow_mixed_nights": allow_mixed_nights, "full_audit": full_audit}}
    run_config["ops"] = {asset.op.name: audit_config for asset in (staging_views, audit_results)}
    if full_refresh:
        run_config["ops"].update({asset.op.name: {"config": {"full_refresh": True}} for asset in RAW_ASSETS})
    started = time.monotonic()
    run_id = run_id or new_run_id()
    with held_run_lock(Path(resources["duckdb"].database), run_id):
        result = job.execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False, run_id=run_id, tags=process_tags()
        )
    summary = NightSummary(
        as_of=str(resources["audit_settings"].audit_date()),
        success=result.success,
        seconds=time.monotonic() - started,
        run_id=result.run_id,
    )
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        key = materialization.asset_key.to_user_string()
        values = {name: value.value for name, value in materialization.metadata.items()}
        if key.startswith("raw_"):
            summary.objects[key] = values
        elif key == "audit/findings":
            summary.findings = values
    if not result.success:
        summary.error = "; ".join(step_failures(result)) or "the run failed"
    return summary


def step_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """`step: error` for every failed step of a run, the project's own error rather than Dagster's wrapper."""
    failures = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            error = event.step_failure_data.error
            while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
                error = error.cause
            failures.append(f"{event.step_key}: {error.message.strip()}")
    return failures
