"""Fixtures for the report tests: a written night of reports and real local SMTP servers."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from report_samples import AS_OF, PASSWORD, USERNAME, finding, findings_frame, summary_frame

from assets.reports import ReportFiles, write_reports


@pytest.fixture
def report_files(tmp_path: Path) -> ReportFiles:
    """A night's reports written under `tmp_path/out`."""
    findings = findings_frame(
        finding("f-new", "new", sf_account_id="001A000001", summary='Zürich GmbH, "Premium"\nrenewal'),
        finding(
            "f-open",
            "open",
            acknowledged=True,
            ack_reason="Waiting on finance",
            ack_until=dt.date(2024, 6, 1),
        ),
        finding("f-gone", "resolved", rule_id="CD-002", severity="medium", category="licensing"),
    )
    summary = summary_frame({"ZR-001": (2, 1, 0, 1), "CD-002": (0, 0, 1, 0)})
    return write_reports(findings, summary, tmp_path / "out", AS_OF)


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it receives, with how the session was secured."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    refused_domain: str = "refused.example"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse recipients at `refused_domain`, accept the rest."""
        if address.endswith("@" + self.refused_domain):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Store the message."""
        self.messages.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "content": envelope.original_content,
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
            }
        )
        return "250 Message accepted"


class EphemeralController(Controller):
    """An aiosmtpd controller listening on a port the OS picks."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    """A running local SMTP server and what it received."""

    port: int
    inbox: Inbox
    logins: list[str]
    cafile: Path | None = None


@contextlib.contextmanager
def _serve(inbox: Inbox, **smtp_parameters: Any) -> Iterator[EphemeralController]:
    controller = EphemeralController(
        inbox, hostname="127.0.0.1", port=0, server_hostname="localhost", **smtp_parameters
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 without TLS or AUTH."""
    inbox = Inbox()
    with _serve(inbox) as controller:
        yield SmtpServer(controller.port, inbox, logins=[])


@pytest.fixture
def tls_smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """An SMTP server that requires STARTTLS (certificate from a throw-away CA) and AUTH."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    inbox, logins = Inbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        valid = auth_data == LoginPassword(USERNAME.encode(), PASSWORD.encode())
        if valid:
            logins.append(USERNAME)
        return AuthResult(success=valid, handled=False)

    with _serve(
        inbox,
        tls_context=server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    ) as controller:
        yield SmtpServer(controller.port, inbox, logins, cafile)


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
