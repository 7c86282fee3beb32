"""A real local SMTP server for tests (aiosmtpd on 127.0.0.1), keeping what it receives."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


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
def serve_smtp(inbox: Inbox, **smtp_parameters: Any) -> Iterator[EphemeralController]:
    """An SMTP server delivering into `inbox` until the block ends."""
    controller = EphemeralController(
        inbox, hostname="127.0.0.1", port=0, server_hostname="localhost", **smtp_parameters
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def free_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
