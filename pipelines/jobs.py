"""The nightly audit job: extract → staging → rules → findings → reports."""

import dagster as dg

NIGHTLY_JOB_NAME = "nightly_audit"
# Runs carrying this tag are queued one at a time by the instance's run queue (see the README's dagster.yaml).
AUDIT_RUN_TAG = "lnr-audit/audit"

nightly_audit_job = dg.define_asset_job(
    NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Extract every source object, rebuild staging, evaluate every rule, merge the findings, report.",
    run_tags={AUDIT_RUN_TAG: "nightly"},
)
