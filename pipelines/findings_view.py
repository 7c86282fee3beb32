"""Findings for the terminal: a filtered table fitted to its width, and one finding in full."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap
from decimal import Decimal

import duckdb
import polars as pl

from checks.engine import FINDING_ID_PREFIX
from checks.evidence_view import evidence_rows
from checks.findings import ACKNOWLEDGED, KEY_NAMES, UNRESOLVED, severity_rank
from checks.record_links import LinkBases, record_links

SHORT_ID_DIGITS = 8  # hex digits an id is shortened to at least in the table, like git's short hashes
SUMMARY_MIN = 40  # below this the summary goes on lines of its own, under each finding
SUMMARY_ENOUGH = 80  # the rule and subject columns are cut until the summary has this much (or all it needs)
SHRINKABLE = {"rule": 20, "subject": 12}  # the columns cut before the summary, and how narrow they may get
GAP = "  "


class NoSuchFinding(LookupError):
    """A finding id, prefix or subject the history does not know."""


class AmbiguousFinding(LookupError):
    """An id prefix or subject naming several findings; the message lists them."""


def terminal_width() -> int:
    """The terminal's columns (COLUMNS when set), 100 when unknown."""
    return shutil.get_terminal_size((100, 40)).columns


def filter_findings(
    known: pl.DataFrame,
    *,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    since: dt.date | None = None,
) -> pl.DataFrame:
    """The findings matching every given filter (without a status, the unresolved ones): most severe, oldest first."""
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
    return selected.sort([severity_rank(), "rule_id", "first_seen", "subject_id"])


def short_ids(ids: list[str], minimum: int = SHORT_ID_DIGITS) -> dict[str, str]:
    """Each id shortened to the shortest prefix (of at least `minimum` hex digits) that no other id shares."""
    digits = minimum
    while True:
        prefixes = [i[: len(FINDING_ID_PREFIX) + digits] for i in ids]
        if len(set(prefixes)) == len(prefixes) or all(len(p) == len(i) for p, i in zip(prefixes, ids, strict=True)):
            return dict(zip(ids, prefixes, strict=True))
        digits += 1


def resolve_finding(known: pl.DataFrame, text: str) -> dict:
    """The one finding `text` names: its id, a prefix of it (with or without `F-`), or its subject id."""
    query = text.strip()
    wanted = query.upper().removeprefix(FINDING_ID_PREFIX).lower()
    by_id = known.filter(pl.col("finding_id").str.starts_with(FINDING_ID_PREFIX + wanted)) if wanted else known[:0]
    exact = by_id.filter(pl.col("finding_id") == FINDING_ID_PREFIX + wanted)
    matches = exact if exact.height else by_id
    if not matches.height:
        matches = known.filter(pl.col("subject_id") == query)
    if matches.height == 1:
        return matches.row(0, named=True)
    if not matches.height:
        raise NoSuchFinding(f"no finding {query} (give a finding id, a prefix of one, or a subject id)")
    columns = ["finding_id", "rule_id", "subject_id", "status"]
    rows = [[r[c] for c in columns] for r in matches.sort("finding_id").rows(named=True)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    listed = "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    raise AmbiguousFinding(f"{query} names {matches.height} findings; give more of the id:\n{listed}")


def _cut_end(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _cut_middle(text: str, width: int) -> str:
    """`text` cut in its middle to `width`, keeping both ends (ids differ at either end)."""
    if len(text) <= width or width < 3:
        return text[:width]
    head = width // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def render_table(
    frame: pl.DataFrame, as_of: dt.date, width: int | None = None, ids: dict[str, str] | None = None
) -> str:
    """`frame` as a table fitted to `width` columns: the rule and subject columns are cut before the summary is;
    when less than SUMMARY_MIN columns are left for it, the summary goes whole on lines under each finding."""
    width = width or terminal_width()
    ids = ids or short_ids(frame["finding_id"].to_list())
    acknowledged = bool(frame.height) and bool(frame["acknowledged"].any())
    headers = ["id", "severity", "status", "age", *(["ack"] if acknowledged else []), "rule", "subject"]
    rows = [
        [
            ids[r["finding_id"]],
            r["severity"],
            r["status"],
            f"{(as_of - r['first_seen']).days}d" if r["first_seen"] else "",
            *(["ack" if r["acknowledged"] else ""] if acknowledged else []),
            r["rule_id"],
            r["subject_id"],
        ]
        for r in frame.iter_rows(named=True)
    ]
    summaries = [r["summary"] or "" for r in frame.iter_rows(named=True)]
    widths = {h: max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)}
    summary_width = max([len("summary"), *map(len, summaries)])

    def free() -> int:
        return width - sum(widths.values()) - len(GAP) * (len(headers) - 1)

    def shrink(until) -> None:
        """Narrow the widest of the rule and subject columns, one column at a time, until `until()` holds."""
        while not until():
            name = max(SHRINKABLE, key=lambda h: widths[h] - SHRINKABLE[h])
            if widths[name] <= SHRINKABLE[name]:
                return
            widths[name] -= 1

    natural = dict(widths)
    shrink(lambda: free() - len(GAP) >= min(summary_width, SUMMARY_ENOUGH))
    own_line = free() - len(GAP) < SUMMARY_MIN
    if own_line:
        widths.update(natural)
        shrink(lambda: free() >= 0)
    cut = {"rule": _cut_end, "subject": _cut_middle}

    def line(cells: list[str]) -> str:
        return GAP.join(
            cut.get(h, _cut_end)(cell, widths[h]).ljust(widths[h]) for h, cell in zip(headers, cells, strict=True)
        )

    if own_line:
        out = [line(headers), line(["-" * widths[h] for h in headers])]
        for row, summary in zip(rows, summaries, strict=True):
            indent = "    "
            out += [line(row), *textwrap.wrap(summary, width, initial_indent=indent, subsequent_indent=indent,
                                              break_on_hyphens=False)]
    else:
        out = [line(headers) + GAP + "summary", line(["-" * widths[h] for h in headers]) + GAP + "-" * 7]
        out += [line(row) + GAP + _cut_end(s, free() - len(GAP)) for row, s in zip(rows, summaries, strict=True)]
    return "\n".join(line_.rstrip() for line_ in out)


def describe_finding(
    con: duckdb.DuckDBPyConnection, f: dict, width: int | None = None, bases: LinkBases | None = None
) -> str:
    """One finding in full: summary, keys, evidence per field and system, links, history and suggested action."""
    width = width or terminal_width()
    lines = [
        f"{f['finding_id']}  {f['rule_id']}  subject {f['subject_id']}",
        f"severity {f['severity']} · status {f['status']} · first seen {f['first_seen']} · last seen {f['last_seen']}",
    ]
    if f["acknowledged"]:
        lines.append(f"acknowledged until {f['ack_until']}: {f['ack_reason']}")
    lines += ["", textwrap.fill(f["summary"] or "", width, break_on_hyphens=False), "", "Records involved:"]
    lines += [f"  {k:22} {f[k]}" for k in KEY_NAMES if f[k] is not None]
    lines += ["", "Evidence:", *evidence_rows(json.loads(f["evidence"] or "{}", parse_float=Decimal), width)]
    links = record_links(f, bases or LinkBases())
    if links:
        label_width = max(map(len, links))
        lines += ["", "Links:", *(f"  {label:{label_width}}  {url}" for label, url in links.items())]
    history = con.execute(
        "SELECT as_of, status FROM audit.finding_events WHERE finding_id = ? ORDER BY as_of", [f["finding_id"]]
    ).fetchall()
    lines += ["", "History:", *(f"  {night}  {status}" for night, status in history)]
    lines += ["", "Suggested action:", textwrap.indent(textwrap.fill(f["suggested_action"] or "", width - 2), "  ")]
    return "\n".join(line.rstrip() for line in lines)
