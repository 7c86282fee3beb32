"""The fixed columns of the report files, taken from the finding model (`checks/findings.py`)."""

from checks.findings import REPORT_COLUMNS, report_columns_doc
from checks.history import NIGHT_COUNTS

# system → the report column linking to its most specific record
LINK_COLUMNS: dict[str, str] = {
    "zuora": "zuora_link",
    "salesforce": "salesforce_link",
    "customersdot": "customersdot_link",
    "gitlab": "gitlab_link",
}
DERIVED_COLUMNS: tuple[str, ...] = ("evidence_text", *LINK_COLUMNS.values())  # computed when the files are written
INPUT_COLUMNS: tuple[str, ...] = tuple(column for column in REPORT_COLUMNS if column not in DERIVED_COLUMNS)

SUMMARY_COUNTS: tuple[str, ...] = tuple(count for count in NIGHT_COUNTS if count not in ("open", "reopened", "held"))
SUMMARY_COLUMNS: tuple[str, ...] = ("rule_id", "title", "category", "severity", *SUMMARY_COUNTS)
TOTAL_ROW = "total"  # the rule_id of summary.csv's last row, which sums each count

__all__ = ["REPORT_COLUMNS", "SUMMARY_COLUMNS", "SUMMARY_COUNTS"]

__doc__ = f"""The fixed columns of the report files.

The findings files (`findings_open.csv`, `findings_new.csv`, `findings_resolved.csv`) have these columns,
in this order, and their rows are ordered by severity (critical first), then rule, then age (oldest first):

{report_columns_doc()}

Dates are ISO (YYYY-MM-DD); ids and links a finding does not involve are blank. `evidence_text` and the links
are derived when the files are written; the other columns come from the findings.

`summary.csv` has one row per catalogue rule with the columns {", ".join(SUMMARY_COLUMNS)}:
the rule's title (when it is a finding), category and severity and the night's counts unresolved (new, open,
reopened or held), new (first seen that night), resolved (resolved that night) and acknowledged (unresolved and
acknowledged), then a last row whose rule_id is `{TOTAL_ROW}` with the sum of each count.
"""
