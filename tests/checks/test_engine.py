"""The engine: catalogue consistency, the result contract of every rule, findings, settings and the scorecard."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import duckdb
import pytest
from audit_worlds import AS_OF

from assets.raw_store import create_raw_tables
from checks import catalogue
from checks.catalogue import CATEGORIES, RULES, RULES_DIR, default_settings, rule
from checks.engine import (
    CHECKS_DIR,
    RESULT_COLUMNS,
    STAGING_VIEWS,
    AuditSettings,
    RuleError,
    build_staging,
    run_rule,
    scorecard,
    staging_relations,
)
from checks.findings import FINDING_COLUMNS, SEVERITY_NAMES


def clean_world(world):
    """Consistent subscriptions of every kind the rules distinguish."""
    world.paid("A-S001")
    world.paid("A-S002", "ultimate-sm", 25, account="A002", TurnOnCloudLicensing__c="Yes")
    world.activation("A-S002")
    world.seat_link("A-S002", 20)
    world.paid("A-S003", "dedicated", 50, account="A003")
    world.paid("A-S004", TermType="EVERGREEN", end=None, account="A004")
    world.paid("A-S005", Status="Cancelled", SubscriptionEndDate=dt.date(2026, 10, 1), end=dt.date(2026, 10, 1))
    world.subscription("A-S006", {"ultimate-saas": 10}, Status="Expired", GitLabNamespaceId__c="ns-A-S006")
    world.paid("A-S006", "ultimate-saas", 12, version=2)
    world.order(None, "ultimate-saas-trial-plan-id", start=AS_OF, end=AS_OF + dt.timedelta(days=30))
    world.order("A-S007", "free-plan-id", end=None)
    world.license("A-S008", trial=True)


def test_the_catalogue_has_one_rule_per_rule_file():
    files = sorted(RULES_DIR.glob("*.sql"))
    assert len(RULES) == len(files) == len({r.id for r in RULES})
    assert {path.stem for path in files} == {r.id for r in RULES}
    for entry in RULES:
        assert entry.category in CATEGORIES and entry.severity in SEVERITY_NAMES
        assert entry.sql.startswith(f"-- rule: {entry.id}\n")
        assert rule(entry.id) is entry


def test_settings_default_to_the_catalogue_and_reach_audit_params():
    fields = {f.name: f.default for f in dataclasses.fields(AuditSettings) if f.name != "as_of"}
    assert fields == default_settings()
    con = duckdb.connect()
    create_raw_tables(con)
    build_staging(con, AuditSettings(as_of=AS_OF, excluded_zuora_accounts=["A001"], trial_max_days=7))
    params = con.sql("SELECT * FROM audit.params").pl().row(0, named=True)
    assert params["as_of"] == AS_OF and params["excluded_zuora_accounts"] == ["A001"]
    assert params["trial_max_days"] == 7 and params["invoice_tolerance_pct"] == 1
    with pytest.raises(KeyError):
        rule("no_such_rule")


def test_building_staging_leaves_the_compression_setting_as_it_was():
    con = duckdb.connect()
    create_raw_tables(con)
    con.execute("SET disabled_compression_methods = 'fsst'")
    build_staging(con, AuditSettings(as_of=AS_OF))
    assert con.execute("SELECT current_setting('disabled_compression_methods')").fetchall() == [("FSST",)]


def test_staging_files_are_declared_and_described():
    files = {path.stem for path in (CHECKS_DIR / "staging").glob("*.sql")} - {"macros"}
    assert files == {view.name for view in STAGING_VIEWS}
    for view in STAGING_VIEWS:
        assert view.sql.startswith("-- ") and view.description
        kind = "VIEW" if view.is_view else "TABLE"
        assert f"CREATE OR REPLACE {kind} staging.{view.name} AS" in view.sql
        assert view.is_view or not view.name.endswith("_subjects")


def staged_over(stale_table, stale_view):
    """A database whose staging schema held a table and a view of those names before staging was built."""
    con = duckdb.connect()
    create_raw_tables(con)
    con.execute("CREATE SCHEMA staging")
    con.execute(f"CREATE TABLE staging.{stale_table} AS SELECT 1 AS stale")
    con.execute(f"CREATE VIEW staging.{stale_view} AS SELECT 1 AS stale")
    build_staging(con, AuditSettings(as_of=AS_OF))
    return con


def test_building_staging_replaces_a_relation_of_the_other_kind():
    con = staged_over("active_orders", "orders")
    kinds = staging_relations(con)
    assert kinds["active_orders"] == "VIEW" and kinds["orders"] == "TABLE"
    assert "stale" not in con.sql("SELECT * FROM staging.active_orders").columns


def test_building_staging_drops_the_relations_no_file_builds():
    con = staged_over("retired_table", "retired_view")
    assert set(staging_relations(con)) == {view.name for view in STAGING_VIEWS}


def test_every_rule_returns_its_result_columns_on_empty_tables():
    con = duckdb.connect()
    create_raw_tables(con)
    build_staging(con, AuditSettings(as_of=AS_OF))
    for entry in RULES:
        relation = con.sql(entry.sql)
        columns = list(relation.columns)
        assert columns[:2] == ["subject_id", "failed"] and columns[-1] == "evidence", entry.id
        assert [c for c in RESULT_COLUMNS if c in columns] == columns, (entry.id, "keys out of the result order")
        assert len(columns) > 3, (entry.id, "names the keys of the records involved")
        types = dict(zip(relation.columns, map(str, relation.types), strict=True))
        assert types.pop("failed") == "BOOLEAN" and types.pop("evidence") == "JSON", entry.id
        assert set(types.values()) == {"VARCHAR"}, (entry.id, types)
        assert run_rule(con, entry).processed == 0


def test_clean_world_has_no_findings(world):
    clean_world(world)
    con = world.connect()
    card = scorecard(con, AuditSettings(as_of=AS_OF))
    assert card.rules["failed"].sum() == 0
    assert set(card.statuses["match_status"]) == {"Paid All Matching"}
    assert set(card.statuses["subscription_name"]) == {"A-S001", "A-S002", "A-S003", "A-S004", "A-S005", "A-S006"}
    processed = dict(card.rules.select("rule_id", "processed").iter_rows())
    assert processed["subscription_missing_order"] == 5
    assert processed["trial_too_long"] == 1


def test_findings_carry_keys_evidence_and_a_stable_id(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(quantity=8)
    world.paid("A-S002", account="A002")
    world.remove("customersdot", "orders", subscription_name="A-S002")
    findings = world.findings()
    assert tuple(findings.columns) == FINDING_COLUMNS
    assert findings["rule_id"].to_list() == ["seat_count_mismatch", "subscription_missing_order"]
    seat = findings.row(0, named=True)
    fingerprint = hashlib.sha256(f"seat_count_mismatch\x1f{order['id']}".encode()).hexdigest()[:16]
    assert seat["finding_id"] == "F-" + fingerprint
    assert seat["severity"] == "high" and seat["category"] == "provisioning"
    assert seat["suggested_action"] == rule("seat_count_mismatch").suggested_action
    evidence = json.loads(seat["evidence"])
    assert evidence["zuora"]["plan_seats"] == 10 and evidence["customersdot"]["quantity"] == 8
    assert findings.equals(world.findings())


def test_scorecard_names_the_mismatch_in_gitlab_words(world):
    world.paid("A-S001")
    world.remove("customersdot", "orders", subscription_name="A-S001")
    world.paid("A-S002", account="A002")
    world.one("customersdot", "orders", subscription_name="A-S002").update(quantity=1)
    world.paid("A-S003", "premium-sm", account="A003")
    world.remove("customersdot", "licenses")
    world.paid("A-S004", account="A004")
    card = scorecard(world.connect(), AuditSettings(as_of=AS_OF))
    assert dict(card.statuses.select("subscription_name", "match_status").iter_rows()) == {
        "A-S001": "Paid Subscription Missing Order",
        "A-S002": "Paid Order Seat Count Misaligned with Zuora",
        "A-S003": "Paid License Missing",
        "A-S004": "Paid All Matching",
    }
    counts = {row["rule_id"]: row for row in card.rules.iter_rows(named=True)}
    assert (counts["subscription_missing_order"]["processed"], counts["subscription_missing_order"]["failed"]) == (
        4, 1)
    assert counts["seat_count_mismatch"]["passed"] == 2


# A rule evaluated in two passes, and one that builds the evidence of its failed rows only, in one pass.
@pytest.mark.parametrize("rule_id", ["trial_too_long", "saas_subscription_without_namespace"])
def test_a_rule_with_several_rows_per_subject_is_refused(world, tmp_path, monkeypatch, rule_id):
    (tmp_path / f"{rule_id}.sql").write_text(
        f"-- {rule_id}: broken\nSELECT * FROM (" + rule(rule_id).sql + ") UNION ALL BY NAME "
        "SELECT 'x' AS subject_id, true AS failed, NULL::JSON AS evidence FROM range(2)",
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogue, "RULES_DIR", tmp_path)
    con = world.connect()
    build_staging(con, AuditSettings(as_of=AS_OF))
    with pytest.raises(RuleError, match="2 rows for 1 subjects"):
        run_rule(con, rule(rule_id))


def test_a_rule_evaluated_in_one_pass_finds_what_two_passes_find(world, tmp_path, monkeypatch):
    world.paid("A-S001", GitLabNamespaceId__c=None)
    world.paid("A-S002", account="A002")
    con = world.connect()
    build_staging(con, AuditSettings(as_of=AS_OF))
    one_pass = run_rule(con, rule("saas_subscription_without_namespace"))
    lazy_sql = rule("saas_subscription_without_namespace").sql
    eager_sql = lazy_sql.replace("CASE WHEN failed THEN to_json(", "to_json(")
    eager_sql = eager_sql.replace(") END AS evidence", ") AS evidence")
    assert eager_sql != lazy_sql
    (tmp_path / "saas_subscription_without_namespace.sql").write_text(eager_sql, encoding="utf-8")
    monkeypatch.setattr(catalogue, "RULES_DIR", tmp_path)
    two_passes = run_rule(con, rule("saas_subscription_without_namespace"))
    assert one_pass.processed == two_passes.processed == 2
    assert [f["subject_id"] for f in one_pass.findings] == ["A-S001"]
    assert one_pass.findings == two_passes.findings


def test_a_rule_whose_columns_break_the_contract_is_refused(world, tmp_path, monkeypatch):
    (tmp_path / "trial_too_long.sql").write_text(
        "-- trial_too_long: broken\nSELECT * EXCLUDE (evidence), 1 AS surplus FROM ("
        + rule("trial_too_long").sql
        + ")",
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogue, "RULES_DIR", tmp_path)
    con = world.connect()
    build_staging(con, AuditSettings(as_of=AS_OF))
    with pytest.raises(RuleError, match=r"missing columns \['evidence'\], unknown columns \['surplus'\]"):
        run_rule(con, rule("trial_too_long"))
