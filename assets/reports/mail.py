"""Sending the report files by e-mail over SMTP: the message, its plain-text summary and one SMTP session."""

from __future__ import annotations

import csv
import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from assets.reports.columns import SUMMARY_COLUMNS, SUMMARY_COUNTS, TOTAL_ROW
from assets.reports.digest import Digest, digest_text
from assets.reports.writer import ReportFiles


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """Where and how to send the report mail; `password` is a secret and never shown in the repr."""

    host: str
    port: int = 587
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = 30.0
    cafile: Path | None = None

    def __post_init__(self) -> None:
        if isinstance(self.recipients, str) or not self.recipients:
            raise ValueError("recipients must be a non-empty tuple of addresses")
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password must be given together")
        if self.username is not None and not self.starttls:
            raise ValueError("refusing to send the SMTP password without STARTTLS")


def compose_message(
    files: ReportFiles, sender: str, recipients: tuple[str, ...], digest: Digest | None = None
) -> EmailMessage:
    """The report mail: the night's digest (when given) and per-rule counts in the body, the CSV files attached."""
    rules = _read_summary(files.summary)
    totals = {count: sum(int(rule[count]) for rule in rules) for count in SUMMARY_COUNTS}
    message = EmailMessage()
    message["Subject"] = (
        digest.headline
        if digest is not None
        else f"lnr-audit {files.as_of}: {totals['unresolved']} unresolved, {totals['new']} new, "
        f"{totals['resolved']} resolved"
    )
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message.set_content((digest_text(digest) + "\n" if digest is not None else "") + _body(files, rules, totals))
    for path in files.paths:
        message.add_attachment(
            path.read_bytes(), maintype="text", subtype="csv", filename=path.name, params={"charset": "utf-8"}
        )
    return message


def compose_trend_message(
    as_of: dt.date, nights: int, paths: tuple[Path, ...], sender: str, recipients: tuple[str, ...]
) -> EmailMessage:
    """The weekly trend mail: what the files hold in the body, the trend CSV and its PNG chart attached."""
    message = EmailMessage()
    message["Subject"] = f"lnr-audit trend: findings of the {nights} nights to {as_of}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message.set_content(
        f"Which defects recur and where they come from, over the {nights} nights to {as_of}.\n\n"
        "trend.csv: per rule (and `all` rules), the findings new, reopened and resolved in those nights, and those\n"
        "unresolved with their median age in days; in all, by purchase channel and by deployment.\n"
        "trend.png: per rule, the findings new or reopened by purchase channel and by deployment.\n"
    )
    for path in paths:
        maintype, subtype = ("image", "png") if path.suffix == ".png" else ("text", "csv")
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send `message` to the configured recipients in one SMTP session; raises on any failure or refusal."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=settings.cafile))
        if settings.username is not None:
            smtp.login(settings.username, settings.password)
        refused = smtp.send_message(message, from_addr=settings.sender, to_addrs=list(settings.recipients))
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)


def send_text(settings: SmtpSettings, subject: str, body: str) -> None:
    """Send a plain-text notice (such as a failed night) to the configured recipients."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=True)
    message.set_content(body)
    send_message(message, settings)


def is_permanent_failure(error: Exception) -> bool:
    """Whether a mail failure would recur: a 5xx reply, a refused recipient, an untrusted certificate."""
    if isinstance(error, (smtplib.SMTPRecipientsRefused, ssl.SSLCertVerificationError)):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


MAIL_COLUMNS = tuple(column for column in SUMMARY_COLUMNS if column != "title")  # the body's table stays narrow


def _read_summary(path: Path) -> list[dict[str, str]]:
    """The rule rows of summary.csv (not its totals row)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["rule_id"] != TOTAL_ROW]


def _body(files: ReportFiles, rules: list[dict[str, str]], totals: dict[str, int]) -> str:
    lines = [
        f"lnr-audit findings for {files.as_of}",
        "",
        f"Unresolved: {totals['unresolved']} ({totals['new']} new, {totals['acknowledged']} acknowledged)",
        f"Resolved on {files.as_of}: {totals['resolved']}",
        "",
        *_summary_table(rules),
        "",
        "Attached: " + ", ".join(path.name for path in files.paths),
    ]
    return "\n".join(lines) + "\n"


def _summary_table(rules: list[dict[str, str]]) -> list[str]:
    rows = [list(MAIL_COLUMNS), *([rule[column] for column in MAIL_COLUMNS] for rule in rules)]
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    numeric = [column in SUMMARY_COUNTS for column in MAIL_COLUMNS]
    return [
        "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in rows
    ]
