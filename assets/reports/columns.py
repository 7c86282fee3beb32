"""The fixed columns of the report files, taken from the finding model (`checks/findings.py`)."""

from checks.findings import REPORT_COLUMNS, report_columns_doc
from checks.history import NIGHT_COUNTS

SUMMARY_COUNTS: tuple[str, ...] = tuple(count for count in NIGHT_COUNTS if count not in ("open", "reopened", "held"))
SUMMARY_COLUMNS: tuple[str, ...] = ("rule_id", "category", "severity", *SUMMARY_COUNTS)

__all__ = ["REPORT_COLUMNS", "SUMMARY_COLUMNS", "SUMMARY_COUNTS"]

__doc__ = f"""The fixed columns of the report files.

The findings files (`findings_open.csv`, `findings_new.csv`, `findings_resolved.csv`) have these columns,
in this order:

{report_columns_doc()}

Dates are ISO (YYYY-MM-DD); ids a finding does not involve are blank.

`summary.csv` has one row per catalogue rule with the columns {", ".join(SUMMARY_COLUMNS)}:
the rule's category and severity and the night's counts unresolved (new, open, reopened or held), new (first seen
that night), resolved (resolved that night) and acknowledged (unresolved and acknowledged).
"""
