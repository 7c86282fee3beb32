"""Findings as the Dagster UI shows them: a table ordered by severity then age, with the record keys, the evidence
as readable text and the links to the records, saying how many rows it shows of how many."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import dagster as dg
import polars as pl

from checks.evidence_view import finding_evidence_text
from checks.findings import severity_rank
from checks.record_links import RECORD_LINKS, LinkBases, record_links

EVIDENCE_MAX = 240  # characters of evidence text in a table cell; `lnr-audit findings show` has it all
KEY_LABELS = {link.key: link.label for link in RECORD_LINKS}
FINDINGS_TABLE_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("severity", "string"),
        dg.TableColumn("rule_id", "string"),
        dg.TableColumn("status", "string"),
        dg.TableColumn("subject_id", "string"),
        dg.TableColumn("summary", "string"),
        dg.TableColumn("evidence", "string", description="what each system says"),
        dg.TableColumn("records", "string", description="the keys of every record the finding names"),
        dg.TableColumn("age_days", "int", description="nights since first seen"),
        dg.TableColumn("first_seen", "string"),
        dg.TableColumn("acknowledged", "string"),
        dg.TableColumn("finding_id", "string"),
    ]
)


def in_display_order(findings: pl.DataFrame) -> pl.DataFrame:
    """Most severe first; within a severity the unacknowledged first, then the oldest first."""
    return findings.sort(
        severity_rank(),
        "acknowledged",
        "first_seen",
        "rule_id",
        "subject_id",
    )


def records_text(row: Mapping[str, Any]) -> str:
    """The record keys a finding names, e.g. `Zuora subscription A-S00012 · Salesforce account 001…`."""
    return " · ".join(f"{label} {row[key]}" for key, label in KEY_LABELS.items() if row.get(key))


def findings_table(findings: pl.DataFrame, as_of: dt.date, limit: int) -> dg.TableMetadataValue:
    """The first `limit` findings (already in display order) as a UI table."""
    return dg.MetadataValue.table(
        records=[_record(row, as_of) for row in findings.head(limit).iter_rows(named=True)],
        schema=FINDINGS_TABLE_SCHEMA,
    )


def links_markdown(findings: pl.DataFrame, bases: LinkBases, limit: int) -> dg.MarkdownMetadataValue:
    """A Markdown table of the first `limit` findings' record links, clickable in the UI."""
    lines = ["| subject | finding | links |", "|---|---|---|"]
    for row in findings.head(limit).iter_rows(named=True):
        links = " · ".join(f"[{label}]({url})" for label, url in record_links(row, bases).items()) or "none"
        lines.append(f"| {_cell(row['subject_id'])} | `{row['finding_id']}` | {links} |")
    return dg.MetadataValue.md("\n".join(lines))


def shown_of(shown: int, total: int) -> str:
    """`50 of 212 shown, …` or `all 12 shown`."""
    if shown >= total:
        return f"all {total} shown"
    return f"{shown} of {total} shown, most severe and oldest first (lnr-audit findings list has them all)"


def _record(row: Mapping[str, Any], as_of: dt.date) -> dg.TableRecord:
    return dg.TableRecord(
        {
            "severity": row["severity"],
            "rule_id": row["rule_id"],
            "status": row["status"],
            "subject_id": row["subject_id"],
            "summary": row["summary"] or "",
            "evidence": finding_evidence_text(row["evidence"], row["rule_id"], EVIDENCE_MAX) or "",
            "records": records_text(row),
            "age_days": (as_of - row["first_seen"]).days if row["first_seen"] else 0,
            "first_seen": str(row["first_seen"]),
            "acknowledged": f"until {row['ack_until']}: {row['ack_reason']}" if row["acknowledged"] else "",
            "finding_id": row["finding_id"],
        }
    )


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
