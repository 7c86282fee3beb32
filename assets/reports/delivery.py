"""Delivering the report files by e-mail and/or to a folder, with bounded retries and a result per channel.

Delivery only reads the report files: whatever happens, they stay in `reports/<as_of>/`.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assets.reports import mail
from assets.reports.atomic import replacing_folder
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
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> DeliveryResult:
    """Mail the report files to the configured recipients, retrying transient failures."""

    def send() -> None:
        mail.send_message(mail.compose_message(files, settings.sender, settings.recipients), settings)

    return _with_retries("email", f"{settings.host}:{settings.port}", send, attempts, backoff)


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
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> list[DeliveryResult]:
    """Deliver the report files over each configured channel: one result per channel, none if none is set."""
    results = []
    if smtp is not None:
        results.append(send_reports(files, smtp, attempts=attempts, backoff=backoff))
    if folder is not None:
        results.append(copy_reports(files, folder, attempts=attempts, backoff=backoff))
    if not results:
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
