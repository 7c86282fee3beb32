"""The rule catalogue as a Markdown reference page, generated from `checks.catalogue` so it cannot drift."""

from __future__ import annotations

from checks.catalogue import CATEGORIES, GLOBAL_SETTINGS, RULES

CATEGORY_TITLES = {
    "provisioning": "Provisioning: Zuora ↔ CustomersDot",
    "sm_licensing": "Self-managed licensing: Zuora ↔ CustomersDot licenses",
    "crm": "CRM: Salesforce ↔ Zuora ↔ CustomersDot",
    "billing": "Billing: invoices",
    "catalog": "Catalog: SKUs and rate plans",
    "hygiene": "Subscription hygiene",
}
HEADER = """# Rule catalogue

Generated from `checks/catalogue.py` by `lnr-audit catalogue > docs/rules.md`; a test keeps it current.
Each rule is one SQL file, `checks/rules/<rule_id>.sql`, returning one row per subject it examines,
and one Dagster asset check on `audit/findings`: the check fails (ERROR for critical and high rules,
WARN otherwise) while the rule has an open finding that is not acknowledged.
"""


def _settings(settings) -> str:
    return ", ".join(f"`{name}` = {value!r}" for name, value in settings.items()) or "none"


def render_catalogue() -> str:
    """The reference page of every rule, grouped by category."""
    lines = [HEADER, f"Settings that apply to every rule: {_settings(GLOBAL_SETTINGS)}.", ""]
    for category in CATEGORIES:
        lines += [f"## {CATEGORY_TITLES.get(category, category)}", ""]
        for rule in (r for r in RULES if r.category == category):
            lines += [
                f"### `{rule.id}`",
                "",
                f"- **severity**: {rule.severity}",
                f"- **subject**: {rule.subject} (examines {rule.examines})",
                f"- **a finding when**: {rule.description}",
                f"- **summary**: {rule.summary_template}",
                f"- **suggested action**: {rule.suggested_action}",
                f"- **settings**: {_settings(rule.settings)}",
                f"- **SQL**: `checks/rules/{rule.id}.sql`",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"
