"""The morning digest: one night's new and reopened critical and high findings, the counts per rule, what was
resolved; as plain text for the report mail and as a Slack-compatible webhook payload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from checks.findings import SEVERITY_NAMES

ALERT_SEVERITIES = ("critical", "high")
ALERTED_STATUSES = ("new", "reopened")
LISTED_ALERTS = 40  # alerts written out in full; the rest are counted (the attached CSVs have them all)
SLACK_ALERTS = 20  # Slack allows 50 blocks a message
SLACK_TEXT_MAX = 3000  # characters of a section's text in Slack
DIGEST_COUNTS = ("unresolved", "new", "reopened", "resolved", "acknowledged")

RecordLinks = Callable[[Mapping[str, Any]], Mapping[str, str]]


@dataclass(frozen=True)
class Alert:
    """One new or reopened critical or high finding, as the digest lists it."""

    finding_id: str
    rule_id: str
    severity: str
    status: str
    subject_id: str
    summary: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RuleCounts:
    """One rule's counts of the night, for the digest's table."""

    rule_id: str
    severity: str
    unresolved: int
    new: int
    reopened: int
    resolved: int
    acknowledged: int


@dataclass(frozen=True)
class Digest:
    """What the morning digest of night `as_of` says."""

    as_of: dt.date
    alerts: tuple[Alert, ...]
    rules: tuple[RuleCounts, ...]
    resolved: tuple[Alert, ...]
    fresh: int  # unacknowledged findings new or reopened tonight, of any severity

    @property
    def has_news(self) -> bool:
        """Whether anything changed tonight that nobody has acknowledged: a new or reopened finding, a resolution."""
        return self.fresh > 0 or bool(self.resolved)

    @property
    def headline(self) -> str:
        """One line: the night, how many critical and high findings are new, what else changed."""
        critical = sum(alert.severity == "critical" for alert in self.alerts)
        return (
            f"lnr-audit {self.as_of}: {critical} critical and {len(self.alerts) - critical} high new or reopened, "
            f"{self.fresh} new or reopened in all, {len(self.resolved)} resolved"
        )


def build_digest(
    known: pl.DataFrame, counts: pl.DataFrame, as_of: dt.date, links: RecordLinks | None = None
) -> Digest:
    """The digest of night `as_of` from every finding known then and the rules' counts of that night.

    Acknowledged findings are never alerted; rules with nothing unresolved and nothing resolved are left out of
    the table.
    """
    severity_order = {name: rank for rank, name in enumerate(ALERT_SEVERITIES)}
    fresh = known.filter(pl.col("status").is_in(ALERTED_STATUSES) & ~pl.col("acknowledged"))
    alerting = fresh.filter(pl.col("severity").is_in(ALERT_SEVERITIES)).sort(
        pl.col("severity").replace_strict(severity_order, default=len(severity_order)), "rule_id", "first_seen",
        "subject_id",
    )
    resolved = known.filter((pl.col("status") == "resolved") & (pl.col("resolved_on") == as_of)).sort(
        "rule_id", "subject_id"
    )
    rules = tuple(
        RuleCounts(row["rule_id"], row["severity"], *(int(row[name]) for name in DIGEST_COUNTS))
        for row in counts.iter_rows(named=True)
        if row["unresolved"] or row["resolved"]
    )
    return Digest(
        as_of=as_of,
        alerts=tuple(_alert(row, links) for row in alerting.iter_rows(named=True)),
        rules=tuple(sorted(rules, key=lambda rule: (_rank(rule.severity), rule.rule_id))),
        resolved=tuple(_alert(row, links) for row in resolved.iter_rows(named=True)),
        fresh=fresh.height,
    )


def digest_text(digest: Digest) -> str:
    """The digest as plain text, the opening of the report mail."""
    lines = [digest.headline, ""]
    if digest.alerts:
        lines.append("New and reopened critical and high findings:")
        for alert in digest.alerts[:LISTED_ALERTS]:
            lines.append(f"- [{alert.severity}] {alert.rule_id} ({alert.status}) {alert.subject_id}: {alert.summary}")
            lines.append(f"  finding {alert.finding_id}")
            lines.extend(f"  {label}: {url}" for label, url in alert.links)
        if len(digest.alerts) > LISTED_ALERTS:
            lines.append(f"- and {len(digest.alerts) - LISTED_ALERTS} more in findings_new.csv")
    else:
        lines.append("No new or reopened critical or high findings.")
    lines += ["", "Per rule:", *_counts_table(digest.rules)]
    lines += ["", f"Resolved on {digest.as_of}: {len(digest.resolved)}"]
    by_rule: dict[str, int] = {}
    for finding in digest.resolved:
        by_rule[finding.rule_id] = by_rule.get(finding.rule_id, 0) + 1
    lines += [f"- {rule_id}: {count}" for rule_id, count in by_rule.items()]
    return "\n".join(lines) + "\n"


def slack_payload(digest: Digest) -> dict[str, Any]:
    """The digest as a Slack incoming-webhook message: a `text` fallback and Block Kit sections."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"lnr-audit {digest.as_of}"[:150]}},
        _section(f"*{_escape(digest.headline)}*"),
    ]
    for alert in digest.alerts[:SLACK_ALERTS]:
        links = " · ".join(f"<{url}|{_escape(label)}>" for label, url in alert.links)
        blocks.append(
            _section(
                f"*{alert.severity}* `{alert.rule_id}` ({alert.status}) {_escape(alert.subject_id)}\n"
                f"{_escape(alert.summary)}\nfinding `{alert.finding_id}`" + (f"\n{links}" if links else "")
            )
        )
    if len(digest.alerts) > SLACK_ALERTS:
        blocks.append(_section(f"… and {len(digest.alerts) - SLACK_ALERTS} more in the report mail"))
    blocks.append(_section(_code_block(_counts_table(digest.rules))))
    blocks.append(_section(f"Resolved on {digest.as_of}: {len(digest.resolved)}"))
    return {"text": digest.headline, "blocks": blocks}


def _rank(severity: str) -> int:
    return SEVERITY_NAMES.index(severity) if severity in SEVERITY_NAMES else len(SEVERITY_NAMES)


def _alert(row: Mapping[str, Any], links: RecordLinks | None) -> Alert:
    return Alert(
        finding_id=row["finding_id"],
        rule_id=row["rule_id"],
        severity=row["severity"],
        status=row["status"],
        subject_id=row["subject_id"],
        summary=row["summary"] or "",
        links=tuple((links(row) if links else {}).items()),
    )


def _counts_table(rules: tuple[RuleCounts, ...]) -> list[str]:
    if not rules:
        return ["(no unresolved findings)"]
    header = ("rule_id", "severity", *DIGEST_COUNTS)
    rows = [header, *((rule.rule_id, rule.severity, *(str(getattr(rule, c)) for c in DIGEST_COUNTS)) for rule in rules)]
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return [
        "  ".join(
            cell.ljust(width) if index < 2 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _code_block(lines: list[str], limit: int = SLACK_TEXT_MAX) -> str:
    """Lines as a Slack code block within `limit` characters: the lines that fit, then `…`."""
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) + len("```\n\n…\n```") > limit:
            kept.append("…")
            break
        kept.append(line)
    return "```\n" + "\n".join(kept) + "\n```"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_MAX]}}


def _escape(text: str) -> str:
    """Slack's mrkdwn escaping: &, < and > as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
