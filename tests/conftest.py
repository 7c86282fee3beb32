"""Fixtures shared by every test folder: one PostgreSQL server per session, a plain SMTP server, a closed port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.servers import PostgresServer, SandboxServers
from tests.smtp import Inbox, SmtpServer, free_port, serve_smtp


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
