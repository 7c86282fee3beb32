"""The finding model, declared once: key columns, finding columns, severities and statuses.

The engine's output, the history tables and their upserts, the current-findings query, the report columns
and their documentation, and the command line's choices are all generated from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Column:
    """One column of the finding model: its name, its DuckDB type and what it means to a reader of the reports."""

    name: str
    sql_type: str
    description: str


@dataclass(frozen=True)
class Severity:
    """One severity of the catalogue, most urgent first; `blocking` ones fail their Dagster check as ERROR."""

    name: str
    blocking: bool
    description: str


@dataclass(frozen=True)
class Status:
    """One status a finding can have on a night: whether the rule found it that night, whether it is unresolved."""

    name: str
    found: bool
    unresolved: bool
    description: str


KEY_COLUMNS: tuple[Column, ...] = (
    Column("zuora_account_number", "VARCHAR", "Zuora billing account number"),
    Column("subscription_name", "VARCHAR", "Zuora subscription name"),
    Column("sf_account_id", "VARCHAR", "Salesforce Account Id"),
    Column("sf_opportunity_id", "VARCHAR", "Salesforce Opportunity Id"),
    Column("invoice_number", "VARCHAR", "Zuora invoice number"),
    Column("order_id", "VARCHAR", "CustomersDot order id"),
    Column("license_id", "VARCHAR", "CustomersDot license id"),
    Column("billing_account_id", "VARCHAR", "CustomersDot billing account id"),
    Column("namespace_id", "VARCHAR", "GitLab.com namespace id"),
)
KEY_NAMES: tuple[str, ...] = tuple(column.name for column in KEY_COLUMNS)

SEVERITIES: tuple[Severity, ...] = (
    Severity("critical", True, "the most urgent; its rule's check fails as ERROR"),
    Severity("high", True, "its rule's check fails as ERROR"),
    Severity("medium", False, "its rule's check fails as WARN"),
    Severity("low", False, "the least urgent; its rule's check fails as WARN"),
)
SEVERITY_NAMES: tuple[str, ...] = tuple(severity.name for severity in SEVERITIES)

STATUSES: tuple[Status, ...] = (
    Status("new", True, True, "first seen tonight"),
    Status("open", True, True, "seen on an earlier night and still there: carried over"),
    Status("reopened", True, True, "back after being resolved"),
    Status("held", False, True, "not checked tonight: data it depends on was held back"),
    Status("resolved", False, False, "no longer found"),
)
STATUS_NAMES: tuple[str, ...] = tuple(status.name for status in STATUSES)
FOUND_STATUSES: tuple[str, ...] = tuple(status.name for status in STATUSES if status.found)
UNRESOLVED_STATUSES: tuple[str, ...] = tuple(status.name for status in STATUSES if status.unresolved)
ACKNOWLEDGED = "acknowledged"  # not a status: an unresolved finding L&R acknowledged, a filter of its own

_COLUMNS: tuple[Column, ...] = (
    Column(
        "finding_id",
        "VARCHAR",
        "stable id of the finding, the same on every night it is seen: F- and 16 hex digits, never read as a number",
    ),
    Column("rule_id", "VARCHAR", "the catalogue rule that raised it"),
    Column("subject_id", "VARCHAR", "key of the record the rule examined"),
    Column("severity", "VARCHAR", "the rule's severity"),
    Column("category", "VARCHAR", "the rule's category"),
    Column(
        "status",
        "VARCHAR",
        ", ".join(f"{s.name} ({s.description})" for s in STATUSES[:-1]) + f" or {STATUSES[-1].name} "
        f"({STATUSES[-1].description})",
    ),
    Column(
        "acknowledged",
        "BOOLEAN",
        "yes when L&R acknowledged the finding and the acknowledgement has not expired, else no",
    ),
    Column("ack_reason", "VARCHAR", "why it was acknowledged (blank when not acknowledged)"),
    Column("ack_until", "DATE", "the day the acknowledgement expires (blank when not acknowledged)"),
    Column("summary", "VARCHAR", "one line saying what is inconsistent"),
    Column("suggested_action", "VARCHAR", "what support should do about it"),
    Column("first_seen", "DATE", "the first night the finding was seen"),
    Column("last_seen", "DATE", "the last night the finding was seen"),
    Column("resolved_on", "DATE", "the night it was no longer found (blank unless resolved)"),
    *KEY_COLUMNS,
    Column("evidence", "JSON", "the values that triggered the rule, as JSON"),
    # Only in the reports: looked up or derived when they are written.
    Column(
        "customer_name",
        "VARCHAR",
        "the customer: the Zuora account's name, else the Salesforce account's, else the Zuora account name of "
        "the CustomersDot billing account (blank when the finding names none)",
    ),
    Column(
        "evidence_text",
        "VARCHAR",
        'the values that differ or that the summary quotes, as "Zuora says … / CustomersDot says …"',
    ),
    Column(
        "zuora_link", "VARCHAR", "link to the Zuora record named: the invoice, else the subscription, else the account"
    ),
    Column("salesforce_link", "VARCHAR", "link to the Salesforce record named: the opportunity, else the account"),
    Column(
        "customersdot_link",
        "VARCHAR",
        "link to the CustomersDot admin page of the record named: the license, else the order, else the billing "
        "account",
    ),
    Column("gitlab_link", "VARCHAR", "link to the GitLab.com group's billing page"),
)
COLUMNS: dict[str, Column] = {column.name: column for column in _COLUMNS}

# One finding as the engine produces it each night.
FINDING_COLUMNS: tuple[str, ...] = (
    "finding_id", "rule_id", "subject_id", "severity", "category", "summary", *KEY_NAMES, "evidence",
    "suggested_action",
)
# One row of `audit.findings`: the latest details of a finding and the nights it was seen.
STORED_COLUMNS: tuple[str, ...] = (*FINDING_COLUMNS, "first_seen", "last_seen")
_STORED_REQUIRED = ("rule_id", "subject_id", "severity")
# Every finding known on a night, as `current_findings` returns it.
KNOWN_COLUMNS: tuple[str, ...] = (
    "finding_id", "rule_id", "subject_id", "severity", "category", "status", "acknowledged", "ack_reason",
    "ack_until", "summary", "suggested_action", "first_seen", "last_seen", "resolved_on", *KEY_NAMES, "evidence",
)
# Columns only the reports have: the customer's name looked up, the evidence text and the links derived.
REPORT_ONLY_COLUMNS: tuple[str, ...] = (
    "customer_name", "evidence_text", "zuora_link", "salesforce_link", "customersdot_link", "gitlab_link",
)
# The findings files of the Fulfillment reports, in this order (a contract with Fulfillment's spreadsheets): what to
# read first on the left (id, severity, rule, customer, what is wrong), then the links, the keys and the JSON.
REPORT_COLUMNS: tuple[str, ...] = (
    "finding_id", "severity", "rule_id", "category", "status", "customer_name", "summary", "evidence_text",
    "acknowledged", "ack_reason", "ack_until", "suggested_action", "first_seen", "last_seen", "resolved_on",
    "zuora_link", "salesforce_link", "customersdot_link", "gitlab_link", *KEY_NAMES, "subject_id", "evidence",
)

# What a finding's status means on a night, defined once for every reader.
UNRESOLVED = pl.col("status").is_in(UNRESOLVED_STATUSES)


def resolved_on_night(as_of) -> pl.Expr:
    """The findings resolved on night `as_of` (not those resolved on an earlier night)."""
    return (pl.col("status") == "resolved") & (pl.col("resolved_on").cast(pl.Date) == as_of)


def severity_rank() -> pl.Expr:
    """The rank of a finding's severity, most urgent first (unknown severities last)."""
    return pl.col("severity").replace_strict({s.name: n for n, s in enumerate(SEVERITIES)}, default=len(SEVERITIES))


def blocking_severity(name: str) -> bool:
    """Whether findings of severity `name` fail their check as ERROR rather than WARN."""
    return any(s.blocking for s in SEVERITIES if s.name == name)


def findings_table_ddl() -> str:
    """CREATE TABLE audit.findings: the stored columns, typed, the finding id the key."""
    lines = [
        f"    {name} {COLUMNS[name].sql_type}"
        + (" PRIMARY KEY" if name == "finding_id" else " NOT NULL" if name in _STORED_REQUIRED else "")
        for name in STORED_COLUMNS
    ]
    return "CREATE TABLE IF NOT EXISTS audit.findings (\n" + ",\n".join(lines) + "\n)"


def sql_list(names: tuple[str, ...]) -> str:
    """`names` as a SQL list of string literals, e.g. ('new', 'open')."""
    return "(" + ", ".join(f"'{name}'" for name in names) + ")"


def findings_upsert() -> str:
    """Record `tonight_findings` in `audit.findings` with their latest details (the nights seen come from events),
    except those of the rules in `$held_rules`, whose data was held back tonight."""
    values = [f"CAST({name} AS JSON)" if COLUMNS[name].sql_type == "JSON" else name for name in FINDING_COLUMNS]
    identity = ("finding_id", "rule_id", "subject_id")
    updated = [f"{name} = excluded.{name}" for name in FINDING_COLUMNS if name not in identity]
    return (
        f"INSERT INTO audit.findings ({', '.join(STORED_COLUMNS)})\n"
        f"SELECT {', '.join(values)}, $as_of AS first_seen, $as_of AS last_seen\n"
        "FROM tonight_findings WHERE NOT list_contains($held_rules::VARCHAR[], rule_id)\n"
        "ON CONFLICT (finding_id) DO UPDATE SET " + ", ".join(updated)
    )


def known_projection() -> str:
    """The select list of `current_findings`: KNOWN_COLUMNS from the history `f`, latest status `l`, ack `a`."""
    computed = {
        "status": "l.status",
        "acknowledged": "(a.finding_id IS NOT NULL AND a.until > $as_of) AS acknowledged",
        "ack_reason": "CASE WHEN a.until > $as_of THEN a.reason END AS ack_reason",
        "ack_until": "CASE WHEN a.until > $as_of THEN a.until END AS ack_until",
        "first_seen": "l.first_seen",
        "last_seen": "l.last_seen",
        "resolved_on": "CASE WHEN l.status = 'resolved' THEN l.status_as_of END AS resolved_on",
        "evidence": "CAST(f.evidence AS VARCHAR) AS evidence",
    }
    return ", ".join(computed.get(name, f"f.{name}") for name in KNOWN_COLUMNS)


def report_columns_doc() -> str:
    """The report columns and their meaning as a plain-text table, for the documentation."""
    width = max(len(name) for name in REPORT_COLUMNS) + 2
    return "\n".join(f"{name.ljust(width)}{COLUMNS[name].description}" for name in REPORT_COLUMNS)
