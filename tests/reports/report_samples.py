"""Sample findings and summaries shaped like the findings history's output."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from assets.reports import SmtpSettings
from checks.findings import COLUMNS, KNOWN_COLUMNS

AS_OF = dt.date(2024, 5, 2)
YESTERDAY = dt.date(2024, 5, 1)
USERNAME = "lnr-audit"
PASSWORD = "correct horse battery staple"

POLARS_TYPES = {"VARCHAR": pl.String, "BOOLEAN": pl.Boolean, "DATE": pl.Date, "JSON": pl.String}
FINDINGS_SCHEMA: dict[str, Any] = {name: POLARS_TYPES[COLUMNS[name].sql_type] for name in KNOWN_COLUMNS}
FINDINGS_SCHEMA["customer_name"] = pl.String  # added to the known findings by the report data

RULES = (
    ("ZR-001", "billing", "high"),
    ("CD-002", "licensing", "medium"),
    ("SF-003", "crm", "low"),
)


def finding(finding_id: str, status: str, **values: Any) -> dict[str, Any]:
    """One findings row with plausible defaults; `values` override any column."""
    row: dict[str, Any] = {column: None for column in FINDINGS_SCHEMA}
    row.update(
        finding_id=finding_id,
        rule_id="ZR-001",
        subject_id=f"sub-{finding_id}",
        severity="high",
        category="billing",
        status=status,
        acknowledged=False,
        summary="Subscription has no matching CustomersDot order",
        suggested_action="Create the order in CustomersDot",
        first_seen=AS_OF if status == "new" else YESTERDAY,
        last_seen=YESTERDAY if status == "resolved" else AS_OF,
        resolved_on=AS_OF if status == "resolved" else None,
        zuora_account_number="A00012345",
        subscription_name="A-S00012345",
        evidence='{"quantity": 10}',
    )
    row.update(values)
    return row


def findings_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """A findings frame with the history's column types."""
    return pl.DataFrame(list(rows), schema=FINDINGS_SCHEMA)


SUMMARY_SCHEMA: dict[str, Any] = {
    "rule_id": pl.String,
    "title": pl.String,
    "category": pl.String,
    "severity": pl.String,
    "unresolved": pl.Int64,
    "new": pl.Int64,
    "resolved": pl.Int64,
    "acknowledged": pl.Int64,
}


def summary_frame(counts: dict[str, tuple[int | None, ...]] | None = None) -> pl.DataFrame:
    """A summary of every rule in `RULES`; `counts` maps rule ids to (unresolved, new, resolved, acknowledged)."""
    counts = counts or {}
    rows = [(rule[0], f"title of {rule[0]}", *rule[1:], *counts.get(rule[0], (0, 0, 0, 0))) for rule in RULES]
    return pl.DataFrame(rows, schema=SUMMARY_SCHEMA, orient="row")


SENDER = "lnr-audit@example.com"
RECIPIENTS = ("fulfillment@example.com", "lnr-support@example.com")


def plain_settings(port: int, **overrides: Any) -> SmtpSettings:
    """Settings for a local server without STARTTLS or AUTH."""
    values = {
        "host": "127.0.0.1",
        "port": port,
        "sender": SENDER,
        "recipients": RECIPIENTS,
        "starttls": False,
    }
    return SmtpSettings(**(values | overrides))


def tls_settings(server: Any, password: str = PASSWORD) -> SmtpSettings:
    """Settings that log in over STARTTLS, trusting the test server's CA."""
    return SmtpSettings(
        host="127.0.0.1",
        port=server.port,
        sender=SENDER,
        recipients=RECIPIENTS,
        username=USERNAME,
        password=password,
        cafile=server.cafile,
        timeout=5,
    )
