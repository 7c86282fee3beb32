"""Fixtures for the report tests: a written night of reports and a real local SMTP server with TLS and AUTH."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from report_samples import AS_OF, PASSWORD, USERNAME, finding, findings_frame, summary_frame

from assets.reports import ReportFiles, write_reports
from tests.smtp import Inbox, SmtpServer, serve_smtp


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

    with serve_smtp(
        inbox,
        tls_context=server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    ) as controller:
        yield SmtpServer(controller.port, inbox, logins, cafile)
