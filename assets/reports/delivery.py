"""Delivering the report files by e-mail and/or to a folder, with bounded retries and a result per channel.

Delivery only reads the report files: whatever happens, they stay in `reports/<as_of>/`.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assets.reports import mail, webhook
from assets.reports.atomic import replacing_folder
from assets.reports.digest import Digest, slack_payload
from assets.reports.writer import ReportFiles
from connectors.retry import RetryPolicy, with_retries

logger = logging.getLogger(__name__)

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 2.0


@dataclass(frozen=True)
class DeliveryResult:
    """How one delivery channel fared: `ok`, the attempts made and the last error when it failed."""

    channel: str
    target: str
    ok: bool
    attempts: int
    error: str | None = None


def send_reports(
    files: ReportFiles,
    settings: mail.SmtpSettings,
    *,
    digest: Digest | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> DeliveryResult:
    """Mail the report files (and the night's digest, when given) to the recipients, retrying transient failures."""

    def send() -> None:
        mail.send_message(mail.compose_message(files, settings.sender, settings.recipients, digest), settings)

    return _with_retries("email", f"{settings.host}:{settings.port}", send, attempts, backoff)


def send_trend(
    as_of: dt.date,
    nights: int,
    paths: tuple[Path, ...],
    settings: mail.SmtpSettings,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> DeliveryResult:
    """Mail the weekly trend files to the report recipients, retrying transient failures."""

    def send() -> None:
        message = mail.compose_trend_message(as_of, nights, paths, settings.sender, settings.recipients)
        mail.send_message(message, settings)

    return _with_retries("email", f"{settings.host}:{settings.port}", send, attempts, backoff)


def post_digest(
    digest: Digest,
    settings: webhook.WebhookSettings,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> DeliveryResult:
    """Post the night's digest to the incoming webhook, retrying transient failures."""
    return _with_retries(
        "webhook", settings.target, lambda: webhook.post_payload(slack_payload(digest), settings), attempts, backoff
    )


def copy_reports(
    files: ReportFiles, folder: Path, *, attempts: int = DEFAULT_ATTEMPTS, backoff: float = DEFAULT_BACKOFF
) -> DeliveryResult:
    """Copy the report files to `folder/<as_of>/` (the four replaced together or not at all), retrying failures."""
    destination = Path(folder) / files.as_of.isoformat()

    def copy() -> None:
        with replacing_folder(destination) as folder:
            for source in files.paths:
                shutil.copyfile(source, folder / source.name)

    return _with_retries("folder", str(destination), copy, attempts, backoff)


def deliver(
    files: ReportFiles,
    smtp: mail.SmtpSettings | None,
    folder: Path | None,
    *,
    digest: Digest | None = None,
    hook: webhook.WebhookSettings | None = None,
    always: bool = False,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> list[DeliveryResult]:
    """Deliver the report files over each configured channel: one result per channel, none if none is set.

    With a digest, the mail carries it and the webhook gets it; on a night with no news neither is sent unless
    `always`. The folder copy is made every night.
    """
    results = []
    quiet = digest is not None and not digest.has_news and not always
    if quiet and (smtp is not None or hook is not None):
        logger.info("nothing new on %s: no digest sent", files.as_of)
    if smtp is not None and not quiet:
        results.append(send_reports(files, smtp, digest=digest, attempts=attempts, backoff=backoff))
    if hook is not None and digest is not None and not quiet:
        results.append(post_digest(digest, hook, attempts=attempts, backoff=backoff))
    if folder is not None:
        results.append(copy_reports(files, folder, attempts=attempts, backoff=backoff))
    if smtp is None and hook is None and folder is None:
        logger.warning("no report delivery configured; the reports stay in %s", files.folder)
    return results


def _with_retries(
    channel: str, target: str, action: Callable[[], None], attempts: int, backoff: float
) -> DeliveryResult:
    """Run `action` until it succeeds, fails for good (not an OSError, or a permanent SMTP refusal) or runs out."""
    tried = 0

    def attempt() -> None:
        nonlocal tried
        tried += 1
        action()

    def log(number: int, exc: Exception, delay: float) -> None:
        logger.warning(
            "%s delivery to %s failed (attempt %d of %d): %s; retrying in %.2fs",
            channel, target, number, attempts, _described(exc), delay,
        )

    def transient(exc: Exception) -> bool:
        return isinstance(exc, OSError) and not mail.is_permanent_failure(exc)

    policy = RetryPolicy(max_attempts=attempts, backoff_base=backoff, backoff_max=float("inf"), jitter=False)
    try:
        with_retries(attempt, policy, transient=transient, on_retry=log)
    except Exception as exc:
        logger.error("%s delivery to %s failed after %d attempt(s): %s", channel, target, tried, _described(exc))
        return DeliveryResult(channel, target, ok=False, attempts=tried, error=_described(exc))
    logger.info("%s delivery to %s done after %d attempt(s)", channel, target, tried)
    return DeliveryResult(channel, target, ok=True, attempts=tried)


def _described(exc: Exception) -> str:
    """An error as `Type: message`."""
    return f"{type(exc).__name__}: {exc}"
