"""The fixed columns of the report files.

The findings files (`findings_open.csv`, `findings_new.csv`, `findings_resolved.csv`) have these columns,
in this order:

===================== =======================================================================================
column                meaning
===================== =======================================================================================
finding_id            stable id of the finding, the same on every night it is seen
rule_id               the catalogue rule that raised it
category              the rule's category
severity              the rule's severity
status                new (first seen tonight), open (seen before and still there), reopened (back after being
                      resolved), held (not checked tonight: data it depends on was held back) or resolved (no
                      longer found)
acknowledged          yes when L&R acknowledged the finding and the acknowledgement has not expired, else no
ack_reason            why it was acknowledged (blank when not acknowledged)
ack_until             the day the acknowledgement expires (blank when not acknowledged)
summary               one line saying what is inconsistent
suggested_action      what support should do about it
first_seen            the first night the finding was seen
last_seen             the last night the finding was seen
resolved_on           the night it was no longer found (blank unless resolved)
zuora_account_number  Zuora billing account number
subscription_name     Zuora subscription name
sf_account_id         Salesforce Account Id
sf_opportunity_id     Salesforce Opportunity Id
invoice_number        Zuora invoice number
order_id              CustomersDot order id
license_id            CustomersDot license id
billing_account_id    CustomersDot billing account id
namespace_id          GitLab.com namespace id
subject_id            key of the record the rule examined
evidence              the values that triggered the rule, as JSON
===================== =======================================================================================

Dates are ISO (YYYY-MM-DD); ids a finding does not involve are blank.

`summary.csv` has one row per catalogue rule with `SUMMARY_COLUMNS`: rule_id, category, severity and the
counts open (new, open or reopened), new, resolved (resolved that night) and acknowledged (open and
acknowledged).
"""

REPORT_COLUMNS: tuple[str, ...] = (
    "finding_id",
    "rule_id",
    "category",
    "severity",
    "status",
    "acknowledged",
    "ack_reason",
    "ack_until",
    "summary",
    "suggested_action",
    "first_seen",
    "last_seen",
    "resolved_on",
    "zuora_account_number",
    "subscription_name",
    "sf_account_id",
    "sf_opportunity_id",
    "invoice_number",
    "order_id",
    "license_id",
    "billing_account_id",
    "namespace_id",
    "subject_id",
    "evidence",
)

SUMMARY_COLUMNS: tuple[str, ...] = (
    "rule_id",
    "category",
    "severity",
    "open",
    "new",
    "resolved",
    "acknowledged",
)
SUMMARY_COUNTS: tuple[str, ...] = SUMMARY_COLUMNS[3:]

OPEN_STATUSES: tuple[str, ...] = ("new", "open", "reopened", "held")
STATUSES: tuple[str, ...] = (*OPEN_STATUSES, "resolved")
