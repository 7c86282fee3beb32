"""Worlds read without servers: straight into DuckDB through the extraction code, or as Dagster source resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from assets.extraction import extract
from connectors.schema import SOURCE_OBJECTS, SYSTEMS
from pipelines.settings import resources_from_environment
from sandbox.world import read_manifest
from sandbox.world_client import WorldClient


def load_world(con: duckdb.DuckDBPyConnection, world: Path) -> None:
    """Every object of `world` loaded in full into the raw tables by the extraction and typing code."""
    clients = {system: WorldClient(world, system) for system in SYSTEMS}
    for obj in SOURCE_OBJECTS:
        extract(con, clients[obj.system], obj, full=True)


class WorldSourceResource(dg.ConfigurableResource):
    """A source resource whose client reads one system of a world folder in memory."""

    world: str
    system: str

    def client(self) -> WorldClient:
        """A client of the world's files."""
        return WorldClient(Path(self.world), self.system)


def world_resources(world: Path, out: Path, **variables: str) -> dict[str, Any]:
    """The resources of a night on `world` without servers: the database and reports under `out`."""
    env = {
        "LNR_DUCKDB_PATH": str(out / "lnr_audit.duckdb"),
        "LNR_AS_OF": read_manifest(world).as_of,
        "LNR_REPORTS_DIR": str(out),
        **variables,
    }
    resources = resources_from_environment(env)
    resources.update({system: WorldSourceResource(world=str(world), system=system) for system in SYSTEMS})
    return resources
