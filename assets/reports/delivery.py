"""Delivering the report files by e-mail and/or to a folder, with bounded retries and a result per channel.

Delivery only reads the report files: whatever happens, they stay in `reports/<as_of>/`.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assets.reports import mail
from assets.reports.atomic import replacing_folder
from assets.reports.writer import ReportFiles

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
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    attempt = 0
    while True:
        attempt += 1
        try:
            action()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempt >= attempts or not isinstance(exc, OSError) or mail.is_permanent_failure(exc):
                logger.error(
                    "%s delivery to %s failed after %d attempt(s): %s", channel, target, attempt, error
                )
                return DeliveryResult(channel, target, ok=False, attempts=attempt, error=error)
            delay = backoff * 2 ** (attempt - 1)
            logger.warning(
                "%s delivery to %s failed (attempt %d of %d): %s; retrying in %.2fs",
                channel,
                target,
                attempt,
                attempts,
                error,
                delay,
            )
            time.sleep(delay)
        else:
            logger.info("%s delivery to %s done after %d attempt(s)", channel, target, attempt)
            return DeliveryResult(channel, target, ok=True, attempts=attempt)
