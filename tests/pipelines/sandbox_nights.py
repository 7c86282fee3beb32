"""Running sandbox nights through the real pipeline in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from assets.raw_store import connect
from checks.history import current_findings
from pipelines.demo import DemoPaths, audit_world
from pipelines.nightly import NightSummary
from pipelines.settings import resources_from_environment, sandbox_environment
from sandbox.servers import SandboxServers
from sandbox.world import read_manifest


def audit_nights(worlds: list[Path], out: Path) -> list[NightSummary]:
    """Serve each world in turn and run the nightly job on it, all into one database under `out`.

    Also checks that the CustomersDot password is in no file the nights leave (Dagster's storage and logs,
    the DuckDB file, the reports).
    """
    paths = DemoPaths(out)
    nights = []
    with SandboxServers(worlds[0]) as servers:
        for world in worlds:
            summary = audit_world(servers, world, paths)
            assert summary.success, summary.error
            nights.append(summary)
        password = servers.endpoints.customersdot_password.encode()
    assert [path for path in out.rglob("*") if path.is_file() and password in path.read_bytes()] == []
    return nights


def findings_of_night(out: Path, world: Path) -> pl.DataFrame:
    """Every finding known on the night of `world`, with its status."""
    with connect(str(DemoPaths(out).database), read_only=True) as con:
        return current_findings(con, read_manifest(world).as_of_date)


def live_pairs(findings: pl.DataFrame) -> set[tuple[str, str]]:
    """The (rule_id, subject_id) pairs of the findings not resolved."""
    live = findings.filter(pl.col("status") != "resolved")
    return set(zip(live["rule_id"], live["subject_id"], strict=True))


def sandbox_resources(endpoints: Any, database: Path, as_of: str, reports_dir: Path) -> dict[str, Any]:
    """The resources of a night on running sandbox servers, built by the one builder from their variables."""
    return resources_from_environment(sandbox_environment(endpoints, str(database), as_of, str(reports_dir)))
