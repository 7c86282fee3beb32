"""Fixtures for the connector tests: a small world and the real sandbox servers serving it on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from connector_worlds import build_world

from connectors.schema import SourceObject
from sandbox.servers import FaultProfile, SandboxEndpoints, SandboxServers


@dataclass(frozen=True)
class World:
    """A world directory and the records written into it."""

    path: Path
    records: dict[SourceObject, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The small world every connector test reads."""
    path = tmp_path_factory.mktemp("world")
    return World(path, build_world(path))


@pytest.fixture(scope="module")
def endpoints(world: World) -> Iterator[SandboxEndpoints]:
    """Fault-free sandbox servers over `world`, shared by a test module."""
    with SandboxServers(world.path) as servers:
        yield servers.endpoints


@pytest.fixture
def serve(world: World) -> Iterator[Callable[..., SandboxServers]]:
    """Start sandbox servers over `world` with a fault profile (keywords of FaultProfile) and options."""
    with ExitStack() as stack:

        def start(
            world_path: Path | None = None, options: dict[str, Any] | None = None, **faults: Any
        ) -> SandboxServers:
            servers = SandboxServers(
                world_path or world.path, faults=FaultProfile(**faults), **(options or {})
            )
            return stack.enter_context(servers)

        yield start
