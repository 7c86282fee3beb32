"""The audit alone, re-run on the raw tables already loaded: per-rule finding counts and the time of each step."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TextIO

import duckdb

from assets.raw_nights import describe_mix
from assets.raw_store import raw_nights
from checks.engine import AuditSettings, RuleRun, run_audit
from checks.held_loads import holds
from checks.memory_headroom import with_memory_headroom
from checks.stopwatch import Stopwatch, cpu_seconds


class NothingLoaded(LookupError):
    """The database holds no raw table loaded by an extraction."""


@dataclass(frozen=True)
class Reaudit:
    """One audit re-run: its settings, every rule's run, its wall and CPU seconds, the time of each step when it was
    profiled, and the nights the raw tables hold when they are not one."""

    settings: AuditSettings
    runs: tuple[RuleRun, ...]
    seconds: float
    cpu_seconds: float
    stopwatch: Stopwatch | None = None
    mixed_nights: str | None = None

    @property
    def findings(self) -> int:
        """Findings over every rule."""
        return sum(run.failed for run in self.runs)


def loaded_objects(con: duckdb.DuckDBPyConnection) -> int:
    """How many source objects have been loaded into the raw tables (none: NothingLoaded)."""
    try:
        loaded = con.execute("SELECT count(*) FROM meta.watermarks").fetchall()[0][0]
    except duckdb.CatalogException:
        loaded = 0
    if not loaded:
        raise NothingLoaded("no raw table has been loaded in this database: run lnr-audit run (or demo) first")
    return loaded


def reaudit(con: duckdb.DuckDBPyConnection, settings: AuditSettings, *, profile: bool = False) -> Reaudit:
    """Build the staging tables and evaluate every rule on the loaded raw tables; the history is not touched. With
    `profile`, every step is timed, and the rules then run one at a time so that each step's CPU time is its own."""
    loaded_objects(con)
    mix = describe_mix(raw_nights(con), holds(con))

    def timed_audit() -> Reaudit:
        stopwatch = Stopwatch() if profile else None
        wall, cpu = time.monotonic(), cpu_seconds()
        runs = run_audit(con, settings, stopwatch)
        return Reaudit(settings, runs, time.monotonic() - wall, cpu_seconds() - cpu, stopwatch, mix)

    return with_memory_headroom(con, timed_audit, _warn)


def _warn(message: str) -> None:
    """A warning on standard error, apart from the printed audit."""
    print(f"warning: {message}", file=sys.stderr)


def print_reaudit(result: Reaudit, stream: TextIO | None = None) -> None:
    """Per rule its subjects and findings, the total and time; for a profiled audit, every step's wall and CPU time."""
    stream = stream or sys.stdout
    steps = {step.step: step for step in result.stopwatch.steps} if result.stopwatch else {}
    print(f"audit as of {result.settings.as_of} (the findings history is not changed)", file=stream)
    if result.mixed_nights:
        print(f"  note: the raw tables hold different nights ({result.mixed_nights})", file=stream)
    print(f"  {'rule':40} {'subjects':>9} {'findings':>9}" + (f" {'wall s':>8} {'CPU s':>8}" if steps else ""),
          file=stream)
    for run in result.runs:
        timing = steps.get(f"rule {run.rule.id}")
        times = f" {timing.seconds:>8.3f} {timing.cpu_seconds:>8.3f}" if timing else ""
        print(f"  {run.rule.id:40} {run.processed:>9} {run.failed:>9}{times}", file=stream)
    print(f"  {'total':40} {'':>9} {result.findings:>9}  in {result.seconds:.2f} s ({result.cpu_seconds:.2f} s CPU)",
          file=stream)
    if result.stopwatch:
        print(f"\n  {'staging table':40} {'wall s':>8} {'CPU s':>8}", file=stream)
        for step in result.stopwatch.steps:
            if step.step.startswith("staging."):
                print(f"  {step.step:40} {step.seconds:>8.3f} {step.cpu_seconds:>8.3f}", file=stream)
        print("\n  slowest steps (CPU):", file=stream)
        for step in result.stopwatch.slowest(5):
            print(f"  {step.step:40} {step.seconds:>8.3f} {step.cpu_seconds:>8.3f}", file=stream)
