"""Fixtures shared by every test folder: a plain local SMTP server and a closed port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp import Inbox, SmtpServer, free_port, serve_smtp


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
