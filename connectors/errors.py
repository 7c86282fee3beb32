"""The errors the connectors raise: one failed read of a source, named by system and endpoint."""

from __future__ import annotations

from typing import Any

_MESSAGE_KEYS = ("message", "faultstring", "error_description", "error")
_MAX_MESSAGE = 300


class ExtractionError(RuntimeError):
    """A source that could not be read: names the system, the endpoint (method, path) and the last cause."""

    def __init__(self, system: str, endpoint: str, detail: str, *, status: int | None = None):
        super().__init__(f"{system}: {endpoint}: {detail}")
        self.system = system
        self.endpoint = endpoint
        self.detail = detail
        self.status = status


class AuthenticationError(ExtractionError):
    """A source that refused the credentials, even after one fresh login."""


def error_message(body: Any) -> str:
    """The server's own error message in a decoded error body (Zuora, Salesforce or GitLab shape), or ''."""
    if isinstance(body, list) and body:
        return error_message(body[0])
    if not isinstance(body, dict):
        return ""
    reasons = body.get("reasons")
    if isinstance(reasons, list) and reasons:
        return error_message(reasons[0])
    message = next((body[k] for k in _MESSAGE_KEYS if isinstance(body.get(k), str) and body[k]), "")
    code = body.get("errorCode") or body.get("faultcode")
    if code and message:
        message = f"{code}: {message}"
    return (message or str(code or ""))[:_MAX_MESSAGE]
