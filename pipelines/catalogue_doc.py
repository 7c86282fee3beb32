"""The rule catalogue as a Markdown reference page, generated from the rule files so it cannot drift."""

from __future__ import annotations

from checks.catalogue import CATEGORIES, GLOBAL_SETTINGS, RULES
from checks.lineage import tables_named

CATEGORY_TITLES = {
    "provisioning": "Provisioning: Zuora ↔ CustomersDot",
    "sm_licensing": "Self-managed licensing: Zuora ↔ CustomersDot licenses",
    "crm": "CRM: Salesforce ↔ Zuora ↔ CustomersDot",
    "billing": "Billing: invoices",
    "catalog": "Catalog: SKUs and rate plans",
    "hygiene": "Subscription hygiene",
}
HEADER = """# Rule catalogue

Generated from the rule files by `lnr-audit catalogue > docs/rules.md`; a test keeps it current.
Each rule is one file, `checks/rules/<rule_id>.sql`: a header of `-- key: value` lines (read by
`checks/catalogue.py`) above SQL returning one row per subject it examines. Each rule is one Dagster
asset check on `audit/findings`, reading the tables listed below: the check fails (ERROR for critical
and high rules, WARN otherwise) while the rule has an unresolved finding that is not acknowledged.
"""


def _settings(settings) -> str:
    return ", ".join(f"`{name}` = {value!r}" for name, value in settings.items()) or "none"


def _scorecard(rule) -> list[str]:
    return [f"- **scorecard**: {rule.scorecard_label} (rank {rule.scorecard_rank})"] if rule.scorecard_label else []


def render_catalogue() -> str:
    """The reference page of every rule, grouped by category."""
    lines = [HEADER, f"Settings that apply to every rule: {_settings(GLOBAL_SETTINGS)}.", ""]
    for category in CATEGORIES:
        lines += [f"## {CATEGORY_TITLES.get(category, category)}", ""]
        for rule in (r for r in RULES if r.category == category):
            lines += [*_rule_lines(rule), ""]
    return "\n".join(lines).rstrip() + "\n"


def _rule_lines(rule) -> list[str]:
    return [
        f"### `{rule.id}`",
        "",
        f"- **severity**: {rule.severity}",
        f"- **subject**: {rule.subject} (examines {rule.examines})",
        f"- **a finding when**: {rule.description}",
        f"- **summary**: {rule.summary_template}",
        f"- **suggested action**: {rule.suggested_action}",
        f"- **settings**: {_settings(rule.settings)}",
        *_scorecard(rule),
        f"- **reads**: {', '.join(f'`{table}`' for table in sorted(tables_named(rule.sql)))}",
        f"- **SQL**: `checks/rules/{rule.id}.sql`",
    ]


def render_rule(rule_id: str) -> str:
    """The reference section of one rule, with its category."""
    rule = next(r for r in RULES if r.id == rule_id)
    category = f"- **category**: {CATEGORY_TITLES.get(rule.category, rule.category)}"
    return "\n".join([*_rule_lines(rule), category]) + "\n"
