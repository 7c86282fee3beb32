"""A finding's evidence read field by field: each system's value side by side, the disagreeing ones marked."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from checks.catalogue import RULES
from connectors.schema import SYSTEMS

DIFFERS = "≠"
SYSTEM_NAMES = {"zuora": "Zuora", "salesforce": "Salesforce", "customersdot": "CustomersDot"}
# Fields that hold the same fact under each system's own name, so that their values share a row.
SAME_FACT: tuple[tuple[str, ...], ...] = (
    ("seats", "plan_seats", "quantity", "users_count"),
    ("TermStartDate", "start_date", "starts_at"),
    ("TermEndDate", "end_date", "expires_at"),
    ("subscription_name", "zuora_subscription_name"),
    ("subscription_id", "zuora_subscription_id"),
    ("GitLabNamespaceId__c", "gl_namespace_id"),
    ("CrmId", "salesforce_account_id"),
    ("InvoiceNumber", "Invoice_Number__c"),
)
_FACT_OF = {name: fact for fact in SAME_FACT for name in fact}
LABEL_MAX = 34


def shown(value: object) -> str:
    """An evidence value as text: flat lists and objects joined by commas (none when empty), null as empty,
    numbers as written, nested values as JSON."""
    if value is None:
        return "empty"
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ", ".join(shown(item) for item in value) or "none"
    if isinstance(value, dict) and all(not isinstance(item, dict | list) for item in value.values()):
        return ", ".join(f"{key}: {shown(item)}" for key, item in value.items()) or "none"
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))


def _comparable(value: object) -> object:
    if isinstance(value, bool) or value is None:
        return value
    try:
        return Decimal(str(value).strip()).normalize()
    except (InvalidOperation, ValueError):
        return json.dumps(value, default=str).strip() if not isinstance(value, str) else value.strip()


@dataclass
class EvidenceRow:
    """One fact of the evidence: the field name and value each system gives for it."""

    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The field names of the systems, once each, in system order."""
        return " / ".join(dict.fromkeys(self.names.values()))

    @property
    def differs(self) -> bool:
        """Whether two or more systems give this fact and their values differ."""
        return len(self.values) > 1 and len({repr(_comparable(v)) for v in self.values.values()}) > 1


def evidence_systems(evidence: dict) -> list[str]:
    """The systems the evidence quotes, in its order."""
    return [s for s in evidence if s in SYSTEMS and isinstance(evidence[s], dict)]


def aligned(evidence: dict) -> list[EvidenceRow]:
    """The systems' fields as rows: a field shares the row of the same name, or of the same fact, of another system."""
    rows: dict[object, EvidenceRow] = {}
    for system in evidence_systems(evidence):
        for name, value in evidence[system].items():
            key = _FACT_OF.get(name, name)
            if key in rows and system in rows[key].values:
                key = (system, name)
            row = rows.setdefault(key, EvidenceRow())
            row.names[system] = name
            row.values[system] = value
    return list(rows.values())


def evidence_rows(evidence: dict, width: int) -> list[str]:
    """The evidence for a terminal of `width` columns: a column per system, a row per field, `≠` where they differ;
    values wrapped in their column; the settings the rule compared with below, one per line."""
    systems = evidence_systems(evidence)
    others = [
        textwrap.fill(f"{k}: {shown(v)}", width, initial_indent="  ", subsequent_indent="    ")
        for k, v in evidence.items()
        if k not in systems
    ]
    if not systems:
        return others
    rows = aligned(evidence)
    value_min = 12
    label_width = min(LABEL_MAX, max(len(row.label) for row in rows), width - 2 - len(systems) * (2 + value_min))
    label_width = max(label_width, 8)
    share = max(value_min, (width - 2 - label_width - 2 * len(systems)) // len(systems))
    widths = [
        min(share, max([len(SYSTEM_NAMES[s])] + [len(shown(r.values[s])) for r in rows if s in r.values]))
        for s in systems
    ]
    header = "".join(f"  {SYSTEM_NAMES[s].upper():{w}}" for s, w in zip(systems, widths, strict=True))
    out = ["  " + " " * label_width + header]
    for row in rows:
        label = textwrap.wrap(row.label, label_width) or [""]
        cells = [
            textwrap.wrap(shown(row.values[s]), w, break_on_hyphens=False) if s in row.values else []
            for s, w in zip(systems, widths, strict=True)
        ]
        for i in range(max(len(label), *map(len, cells), 1)):
            mark = DIFFERS if row.differs and i == 0 else " "
            text = f"{mark} {label[i] if i < len(label) else '':{label_width}}"
            text += "".join(f"  {(c[i] if i < len(c) else ''):{w}}" for c, w in zip(cells, widths, strict=True))
            out.append(text.rstrip())
    return out + (["", *others] if others else [])


def quoted_fields(template: str) -> dict[str, list[str]]:
    """System → the evidence fields a rule's summary template quotes (`{zuora[seats]}`), in order."""
    fields: dict[str, list[str]] = {}
    for system, name in re.findall(r"\{(\w+)\[(\w+)\]\}", template):
        fields.setdefault(system, [])
        if name not in fields[system]:
            fields[system].append(name)
    return fields


def says(evidence: dict, quoted: dict[str, list[str]] | None = None, limit: int = 240) -> str:
    """The evidence in one short sentence per system, e.g. `Zuora says seats 10 / CustomersDot says quantity 8`:
    the fields on which the systems disagree and those the summary quotes (`quoted`, see quoted_fields); when
    there are none, each system's first three plain fields."""
    quoted = quoted or {}
    rows = aligned(evidence)
    parts = []
    for system in evidence_systems(evidence):
        mine = [r for r in rows if system in r.values]
        telling = [r for r in mine if r.differs or r.names[system] in quoted.get(system, ())]
        plain = [r for r in mine if not isinstance(r.values[system], dict)]
        chosen = telling or plain[:3]
        facts = [f"{r.names[system]} {shown(r.values[system])}" for r in chosen]
        if facts:
            parts.append(f"{SYSTEM_NAMES[system]} says " + "; ".join(facts))
    text = " / ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_evidence_text(evidence: str | None, rule_id: str, limit: int = 240) -> str | None:
    """A finding's evidence JSON as "Zuora says … / CustomersDot says …", quoting what its rule's summary quotes;
    None when there is no evidence object to read."""
    if not evidence:
        return None
    try:
        parsed = json.loads(evidence, parse_float=Decimal)
    except ValueError:
        return None
    return says(parsed, _quoted(rule_id), limit) if isinstance(parsed, dict) else None


@cache
def _quoted(rule_id: str) -> dict[str, list[str]] | None:
    return next((quoted_fields(rule.summary_template) for rule in RULES if rule.id == rule_id), None)
