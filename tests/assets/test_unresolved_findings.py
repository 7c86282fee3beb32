"""The overview asset: unresolved findings across rules, critical first, readable, linked, and the run tagged."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import pytest

from assets.overview import AS_OF_TAG, CRITICAL_TAG, unresolved_findings
from checks.findings import FINDING_COLUMNS
from checks.history import acknowledge, merge_night
from pipelines.database import open_database
from pipelines.settings import resources_from_environment

NIGHTS = (dt.date(2026, 6, 13), dt.date(2026, 6, 14), dt.date(2026, 6, 15))


def finding(finding_id, rule_id, severity, subject_id, **values):
    row = {column: None for column in FINDING_COLUMNS}
    return row | {"finding_id": finding_id, "rule_id": rule_id, "subject_id": subject_id, "severity": severity,
                  "category": "billing", "summary": f"{rule_id} on {subject_id}", "evidence": "{}"} | values


OLD_HIGH = finding("F-high-old", "seat_count_mismatch", "high", "A-S1", subscription_name="A-S1",
                   evidence='{"zuora": {"seats": 25}, "customersdot": {"users_count": 20, "plans": ["a", "b"]}}')
NEW_HIGH = finding("F-high-new", "seat_count_mismatch", "high", "A-S2")
CRITICAL = finding("F-critical", "paid_but_free", "critical", "A-S3", sf_account_id="0014WYaEyt50wzEQFQ")
ACKED = finding("F-critical-ack", "paid_but_free", "critical", "A-S4")
LOW = finding("F-low", "trial_too_long", "low", "1568", order_id="1568")
GONE = finding("F-gone", "trial_too_long", "low", "1569")


@pytest.fixture
def database(tmp_path):
    """Three nights: the old high finding since the first; the rest tonight; one gone tonight; one acknowledged."""
    path = tmp_path / "lnr_audit.duckdb"
    nights = ([OLD_HIGH, GONE], [OLD_HIGH, GONE], [OLD_HIGH, NEW_HIGH, CRITICAL, ACKED, LOW])
    con = open_database(path, read_only=False)
    for night, rows in zip(NIGHTS, nights, strict=True):
        merge_night(con, pl.DataFrame(rows, schema={c: pl.String for c in FINDING_COLUMNS}), night, f"run-{night}")
    acknowledge(con, "F-critical-ack", "known", dt.date(2030, 1, 1))
    con.close()
    return path


def test_the_overview_lists_every_unresolved_finding_critical_first_and_tags_the_run(database):
    instance = dg.DagsterInstance.ephemeral()
    resources = resources_from_environment(
        {"LNR_DUCKDB_PATH": str(database), "LNR_AS_OF": "2026-06-15", "LNR_LINK_SALESFORCE_URL": "https://sf.example"}
    )
    result = dg.materialize([unresolved_findings], resources=resources, instance=instance)

    [materialization] = result.asset_materializations_for_node("audit__unresolved_findings")
    metadata = {name: value.value for name, value in materialization.metadata.items()}
    rows = [record.data for record in metadata["findings"].records]
    assert [row["finding_id"] for row in rows] == ["F-critical", "F-critical-ack", "F-high-old", "F-high-new", "F-low"]
    assert (metadata["unresolved"], metadata["acknowledged"]) == (5, 1)
    assert (metadata["unacknowledged_critical"], metadata["unacknowledged_high"]) == (1, 2)
    assert metadata["shown"] == "all 5 shown"
    old = rows[2]
    assert old["age_days"] == 2 and old["records"] == "Zuora subscription A-S1"
    assert old["evidence"] == "Zuora says seats 25 / CustomersDot says users_count 20"
    assert rows[1]["acknowledged"] == "until 2030-01-01: known"
    assert "[Salesforce account](https://sf.example/lightning/r/Account/0014WYaEyt50wzEQFQ/view)" in (
        metadata["record_links"]
    )
    tags = instance.get_run_by_id(result.run_id).tags
    assert (tags[AS_OF_TAG], tags[CRITICAL_TAG]) == ("2026-06-15", "1")


def test_a_rule_check_shows_its_findings_oldest_first_and_says_how_many_of_how_many(database, monkeypatch):
    from checks import rule_checks
    from checks.catalogue import RULES
    from checks.history import current_findings

    monkeypatch.setattr(rule_checks, "TABLE_LIMIT", 1)
    rule = next(rule for rule in RULES if rule.id == "seat_count_mismatch")
    con = open_database(database, read_only=True)
    known = current_findings(con, NIGHTS[-1])
    con.close()

    [result] = [r for r in rule_checks.rule_check_results(known, NIGHTS[-1]) if r.check_name == rule.id]

    assert result.description.startswith(f"{rule.severity.upper()}: ")
    [row] = [record.data for record in result.metadata["findings"].records]
    assert row["finding_id"] == "F-high-old" and row["evidence"].startswith("Zuora says seats 25")
    assert result.metadata["shown"].text.startswith("1 of 2 shown")
    assert "F-high-new" not in result.metadata["record_links"].md_str
