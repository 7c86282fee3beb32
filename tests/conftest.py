"""Fixtures shared by every test folder: one PostgreSQL server per session, a plain SMTP server, a closed port,
and the audited nights."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.servers import PostgresServer, SandboxServers
from tests.smtp import Inbox, SmtpServer, free_port, serve_smtp
from tests.xdist_groups import ModuleOrGroupScheduling, keep_xdist_groups, mark_shared_fixture_groups

NIGHT_CUSTOMERS, NIGHT_SEED = 400, 8
TESTS = Path(__file__).parent
SERVER_TEST_DIRS = {Path("connectors"), Path("sandbox/servers")}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Iterator[None]:
    """Every test on the shared audited nights is slow: it needs full nights over HTTP and Dagster. The connector
    and sandbox server tests talk to the sandbox servers. Under `--dist loadgroup` the tests of each costly shared
    fixture run on one worker, which builds it once."""
    for item in items:
        if "audited_nights" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        if item.path.is_relative_to(TESTS) and SERVER_TEST_DIRS.intersection(item.path.relative_to(TESTS).parents):
            item.add_marker(pytest.mark.servers)
        mark_shared_fixture_groups(item)
    yield
    if config.getoption("loadgroup", False):
        keep_xdist_groups(items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` keeps a module's tests on one worker too (its module fixtures are built once)."""
    return ModuleOrGroupScheduling(config, log) if config.getvalue("dist") == "loadgroup" else None


@pytest.fixture(scope="session", autouse=True)
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session: every sandbox gets a database of its own on it."""
    with PostgresServer() as server:
        SandboxServers.shared_postgres = server
        try:
            yield server
        finally:
            SandboxServers.shared_postgres = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 without TLS or AUTH."""
    inbox = Inbox()
    with serve_smtp(inbox) as controller:
        yield SmtpServer(controller.port, inbox, logins=[])


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening on it."""
    return free_port()


@dataclass(frozen=True)
class AuditedNights:
    """Consecutive sandbox nights audited into one `database` under `out`: their worlds and run summaries."""

    worlds: list[Path]
    out: Path
    summaries: list[Any]
    database: Path


@pytest.fixture(scope="session")
def audited_nights(tmp_path_factory) -> AuditedNights:
    """Three nights served over HTTP by the sandbox servers and audited by the Dagster job (read only).

    The one set of full nights of the suite, shared by the nights, command line, operation and UI tests.
    """
    from pipelines.demo import DemoPaths
    from sandbox.generator.nights import generate_nights
    from tests.pipelines.sandbox_nights import audit_nights

    root = tmp_path_factory.mktemp("nights")
    worlds = generate_nights(root / "worlds", nights=3, customers=NIGHT_CUSTOMERS, seed=NIGHT_SEED)
    summaries = audit_nights(worlds, root / "out")
    return AuditedNights(worlds, root / "out", summaries, DemoPaths(root / "out").database)
