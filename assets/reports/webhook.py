"""Posting the digest to a Slack-compatible incoming webhook, whose URL is a secret never shown.

The standard library's client is used because it logs nothing: an HTTP client that logs each request's URL
would write the webhook's token into the run's logs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class WebhookUnavailable(OSError):
    """The webhook could not be reached or answered with a server error: worth another attempt."""


class WebhookRefused(RuntimeError):
    """The webhook refused the message (a 4xx answer other than 429): another attempt would fail the same way."""


@dataclass(frozen=True)
class WebhookSettings:
    """Where the digest is posted; `url` is a secret (it carries the webhook's token) and never shown."""

    url: str = field(repr=False)
    timeout: float = 30.0
    trust_env: bool = True  # proxy variables of the environment apply, as for any outgoing HTTPS

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme not in ("http", "https") or not urlsplit(self.url).hostname:
            raise ValueError("the digest webhook URL must be an http(s) URL")

    @property
    def target(self) -> str:
        """The webhook's host, the only part of its URL that may be shown."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def post_payload(payload: dict[str, Any], settings: WebhookSettings) -> None:
    """POST `payload` as JSON; raises WebhookUnavailable (transient) or WebhookRefused, never naming the URL."""
    handlers = [] if settings.trust_env else [urllib.request.ProxyHandler({})]
    request = urllib.request.Request(
        settings.url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=settings.timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 429 or exc.code >= 500:
            raise WebhookUnavailable(f"webhook at {settings.target} answered {exc.code}") from None
        raise WebhookRefused(f"webhook at {settings.target} refused the message: {exc.code}") from None
    except (OSError, ValueError) as exc:  # URLError, timeouts, resets
        raise WebhookUnavailable(f"webhook at {settings.target} unreachable ({type(exc).__name__})") from None
