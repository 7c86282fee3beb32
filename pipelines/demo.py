"""The demo: a sandbox world served over the real protocols and audited by the real pipeline."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from assets.reports.atomic import replacing_file
from pipelines.nightly import NightSummary, dagster_instance, run_nightly
from pipelines.settings import resources_from_environment, sandbox_environment
from sandbox.generator import generate
from sandbox.generator.nights import generate_nights
from sandbox.servers import SandboxServers
from sandbox.world import read_manifest

DATABASE_NAME = "lnr_audit.duckdb"


@dataclass(frozen=True)
class DemoPaths:
    """Where a demo keeps its world, database, Dagster instance and reports."""

    out: Path

    @property
    def database(self) -> Path:
        """The DuckDB file."""
        return self.out / DATABASE_NAME

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance's folder (runs, asset and check history)."""
        return self.out / "dagster_home"

    @property
    def findings_csv(self) -> Path:
        """Every current finding, one row each."""
        return self.out / "findings.csv"

    def world(self, name: str = "world") -> Path:
        """A generated world's folder."""
        return self.out / name


def prepare_world(paths: DemoPaths, world: Path | None, customers: int, seed: int, as_of: dt.date | None) -> Path:
    """The world to audit: the one given, or one generated into the demo's folder."""
    if world is not None:
        read_manifest(world)
        return world
    target = paths.world()
    if target.exists():
        shutil.rmtree(target)
    generate(target, customers=customers, seed=seed, as_of=as_of)
    return target


def night_worlds(paths: DemoPaths, customers: int, seed: int, nights: int = 3) -> list[Path]:
    """Consecutive nights of one sandbox world, so the history shows new, open, resolved and reopened findings."""
    return generate_nights(paths.out / "nights", nights=nights, customers=customers, seed=seed)


def audit_world(
    servers: SandboxServers,
    world: Path,
    paths: DemoPaths,
    *,
    as_of: dt.date | None = None,
    full_refresh: bool = False,
    full_audit: bool = False,
    log_level: str = "WARNING",
    run_id: str | None = None,
) -> NightSummary:
    """One night: serve `world` (unless the servers serve it already) and run the nightly job against it, as of
    `as_of` (default: the world's), reloading every object with `full_refresh`, evaluating every rule afresh with
    `full_audit`."""
    if Path(world) != servers.world:
        servers.load_world(world)
    as_of = as_of.isoformat() if as_of else read_manifest(world).as_of
    env = sandbox_environment(servers.endpoints, str(paths.database), as_of, str(paths.out))
    resources = resources_from_environment(env)
    instance = dagster_instance(paths.dagster_home)
    return run_nightly(
        resources, instance, full_refresh=full_refresh, full_audit=full_audit, log_level=log_level, run_id=run_id
    )


def copy_findings(reports_folder: Path, paths: DemoPaths) -> Path:
    """Copy the night's open findings to the demo's `findings.csv`, whole or not at all; returns the report copied."""
    open_report = reports_folder / "findings_open.csv"
    with replacing_file(paths.findings_csv) as temp:
        shutil.copyfile(open_report, temp)
    return open_report


def print_summary(summary: NightSummary, stream: TextIO = sys.stdout) -> None:
    """Records per object with the path that read them, requests, jobs and polls; findings and time of one night."""
    print(
        f"\nNight {summary.as_of}: {'succeeded' if summary.success else 'FAILED'} in {summary.seconds:.1f} s",
        file=stream,
    )
    if summary.objects:
        print(
            f"  {'raw table':42} {'rows':>8} {'read':>8} {'path':>5} {'reqs':>6} {'jobs':>4} {'polls':>5} "
            f"{'rec/s':>9}  mode",
            file=stream,
        )
        for key, values in sorted(summary.objects.items()):
            print(
                f"  {key:42} {values.get('dagster/row_count', 0):>8} {values.get('records_read', 0):>8} "
                f"{values.get('path', ''):>5} {values.get('api_calls', 0):>6} {values.get('jobs', 0):>4} "
                f"{values.get('polls', 0):>5} {values.get('records_per_second', 0):>9}  {values.get('mode', '')}",
                file=stream,
            )
        totals = {
            name: sum(int(v.get(name, 0)) for v in summary.objects.values())
            for name in ("records_read", "api_calls", "jobs", "polls")
        }
        print(
            f"  {'total':42} {'':>8} {totals['records_read']:>8} {'':>5} {totals['api_calls']:>6} "
            f"{totals['jobs']:>4} {totals['polls']:>5}",
            file=stream,
        )
    if summary.findings:
        f = summary.findings
        print(
            f"  findings: {f.get('findings', 0)} (new {f.get('new', 0)}, open {f.get('open', 0)}, "
            f"reopened {f.get('reopened', 0)}, resolved {f.get('resolved', 0)})",
            file=stream,
        )
    if summary.error:
        print(f"  error: {summary.error}", file=stream)
