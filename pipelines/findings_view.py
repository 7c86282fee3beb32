"""Findings for the terminal: a filtered table, and one finding's evidence side by side per system."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap

import duckdb
import polars as pl

from checks.findings import ACKNOWLEDGED, KEY_NAMES, UNRESOLVED, severity_rank
from checks.history import current_findings, latest_night
from connectors.schema import SYSTEMS

LIST_COLUMNS = ("finding_id", "rule_id", "subject_id", "severity", "status", "first_seen", "summary")


class NoSuchFinding(LookupError):
    """A finding id the history does not know."""


def filter_findings(
    known: pl.DataFrame,
    *,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    since: dt.date | None = None,
) -> pl.DataFrame:
    """The findings matching every given filter; without a status, the unresolved ones."""
    selected = known
    if rule:
        selected = selected.filter(pl.col("rule_id") == rule)
    if severity:
        selected = selected.filter(pl.col("severity") == severity)
    if status == ACKNOWLEDGED:
        selected = selected.filter(pl.col("acknowledged") & UNRESOLVED)
    elif status:
        selected = selected.filter(pl.col("status") == status)
    else:
        selected = selected.filter(UNRESOLVED)
    if since:
        selected = selected.filter(pl.col("first_seen") >= since)
    return selected.sort([severity_rank(), "rule_id", "subject_id"])


def render_table(frame: pl.DataFrame, width: int | None = None) -> str:
    """`frame`'s list columns as an aligned text table fitted to the terminal width."""
    width = width or shutil.get_terminal_size((160, 40)).columns
    rows = [
        [str(r[c]) if r[c] is not None else "" for c in LIST_COLUMNS] + (["ack"] if r["acknowledged"] else [""])
        for r in frame.iter_rows(named=True)
    ]
    headers = [*LIST_COLUMNS, "ack"]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    summary_index = headers.index("summary")
    fixed = sum(w for i, w in enumerate(widths) if i != summary_index) + 2 * (len(headers) - 1)
    widths[summary_index] = max(20, min(widths[summary_index], width - fixed))

    def line(cells: list[str]) -> str:
        return "  ".join(
            (cell if len(cell) <= w else cell[: w - 1] + "…").ljust(w) for cell, w in zip(cells, widths, strict=True)
        ).rstrip()

    body = [line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    return "\n".join(body + [f"{len(rows)} finding(s)"])


def describe_finding(con: duckdb.DuckDBPyConnection, finding_id: str, as_of: dt.date | None = None) -> str:
    """One finding in full: summary, keys, evidence per system side by side, history and suggested action."""
    as_of = as_of or latest_night(con)
    known = current_findings(con, as_of) if as_of else pl.DataFrame()
    match = known.filter(pl.col("finding_id") == finding_id) if known.height else known
    if not match.height:
        raise NoSuchFinding(f"no finding {finding_id}")
    f = match.row(0, named=True)
    lines = [
        f"{f['finding_id']}  {f['rule_id']}  subject {f['subject_id']}",
        f"severity {f['severity']} · status {f['status']} · first seen {f['first_seen']} · last seen {f['last_seen']}",
    ]
    if f["acknowledged"]:
        lines.append(f"acknowledged until {f['ack_until']}: {f['ack_reason']}")
    lines += ["", textwrap.fill(f["summary"] or "", 100), "", "Records involved:"]
    lines += [f"  {k:22} {f[k]}" for k in KEY_NAMES if f[k] is not None]
    lines += ["", "Evidence:", *side_by_side(json.loads(f["evidence"] or "{}"))]
    history = con.execute(
        "SELECT as_of, status FROM audit.finding_events WHERE finding_id = ? ORDER BY as_of", [finding_id]
    ).fetchall()
    lines += ["", "History:", *(f"  {night}  {status}" for night, status in history)]
    lines += ["", "Suggested action:", textwrap.indent(textwrap.fill(f["suggested_action"] or "", 96), "  ")]
    return "\n".join(lines)


def shown(value: object) -> str:
    """An evidence value as it reads in JSON (strings bare, empty as null)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def side_by_side(evidence: dict) -> list[str]:
    """The evidence of each system in its own column, field by field; the rest (thresholds) below, one per line."""
    systems = [s for s in evidence if s in SYSTEMS and isinstance(evidence[s], dict)]
    others = [f"  {k}: {shown(v)}" for k, v in evidence.items() if k not in systems]
    if not systems:
        return others
    columns = [[s.upper()] + [f"{k}: {shown(v)}" for k, v in evidence[s].items()] for s in systems]
    widths = [max(len(cell) for cell in column) for column in columns]
    height = max(len(column) for column in columns)
    rows = [
        (
            "  " + " │ ".join((col[i] if i < len(col) else "").ljust(w) for col, w in zip(columns, widths, strict=True))
        ).rstrip()
        for i in range(height)
    ]
    return rows + (["", *others] if others else [])
