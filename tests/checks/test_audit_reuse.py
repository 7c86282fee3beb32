"""An audit that keeps what did not change: a staging table or a rule result is reused only while the fingerprint of
its inputs is the one it was built from, and the findings stay those of a full audit, night after night."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import duckdb
import polars as pl
from audit_worlds import AS_OF, World

from checks.catalogue import RULES
from checks.engine import (
    STAGING_VIEWS,
    AuditSettings,
    build_staging,
    evaluate_all,
    findings_frame,
    run_rules,
    staged_params,
)
from checks.lineage import rules_reading, staging_sql
from checks.reuse import AuditInputs

STAGING_TABLES = {view.name for view in STAGING_VIEWS if not view.is_view}
# Tables whose SQL reads row ids: a load or a checkpoint moves rows, so they are built again every time.
BY_ROW_ID = {view.name for view in STAGING_VIEWS if not view.is_view and view.reads_row_ids}
VIEWS = frozenset(view.name for view in STAGING_VIEWS if view.is_view)
# What SQL could read besides its tables and audit.params: a fingerprint would not see it change.
CLOCK_OR_CHANCE = re.compile(r"\b(current_date|current_timestamp|now|today|get_current_\w+|random|uuid)\b", re.I)


def audit(con: duckdb.DuckDBPyConnection, as_of: dt.date = AS_OF, *, reuse: bool = True, **settings):
    """The findings of an audit on `con`, the staging tables it kept and the rules it did not evaluate again."""
    kept = build_staging(con, AuditSettings(as_of=as_of, **settings), reuse=reuse)
    runs = run_rules(con, reuse=reuse)
    return findings_frame(runs), set(kept), {run.rule.id for run in runs if run.reused}


def full_audit(world: World, as_of: dt.date = AS_OF, **settings) -> pl.DataFrame:
    """The findings of a full audit of `world` in a database of its own (nothing recorded to reuse)."""
    return evaluate_all(world.connect(), AuditSettings(as_of=as_of, **settings))


def mixed_world() -> World:
    """Consistent subscriptions, an invoice that differs from its opportunity, a billing account linked to another
    Salesforce account, and an invoice going overdue (a finding that comes with the date alone)."""
    world = World()
    world.paid("A-S001")
    world.paid("A-S002", account="A002")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S002").update(AmountWithoutTax=Decimal("2250.00"))
    world.paid("A-S003", "premium-sm", account="A003")
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A003").update(
        salesforce_account_id=world.sf_account()
    )
    world.paid("A-S004", account="A004")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S004").update(Balance=Decimal("100.00"), DueDate=AS_OF)
    return world


def test_nights_with_changes_and_deletions_find_what_a_full_audit_finds():
    world, con = mixed_world(), duckdb.connect()
    world.snapshot(con)
    findings, _, _ = audit(con)
    assert findings.height and findings.equals(full_audit(world))

    def night(day: int) -> set[str]:
        world.snapshot(con)
        tonight, _, reused = audit(con, AS_OF + dt.timedelta(days=day))
        assert tonight.equals(full_audit(world, AS_OF + dt.timedelta(days=day))), f"night {day}"
        return reused

    world.remove("zuora", "Invoice", InvoiceNumber="INV-A-S001")
    world.remove("zuora", "InvoiceItem", InvoiceId="inv-INV-A-S001")
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A003").update(
        salesforce_account_id=world.one("zuora", "Account", AccountNumber="A003")["CrmId"]
    )
    night(1)
    assert night(2) >= {"crm_account_mismatch", "invoice_amount_mismatch"}  # nothing changed but the date
    assert night(40), "the invoice is overdue by now, and the rules that do not read the date are reused"
    world.remove("salesforce", "Account", Id=world.one("zuora", "Account", AccountNumber="A002")["CrmId"])
    world.paid("A-S005", account="A005")
    night(41)


def test_a_night_run_again_reuses_every_rule_and_every_staging_table_not_read_by_row_id():
    world, con = mixed_world(), duckdb.connect()
    world.snapshot(con)
    first, _, reused = audit(con)
    world.snapshot(con)  # the same records read again
    again, kept, reused_again = audit(con)
    assert reused == set() and again.equals(first)
    assert BY_ROW_ID and kept == STAGING_TABLES - BY_ROW_ID and reused_again == {rule.id for rule in RULES}


def test_a_changed_table_reevaluates_exactly_the_rules_that_read_it():
    world, con = mixed_world(), duckdb.connect()
    world.snapshot(con)
    audit(con)
    world.one("salesforce", "Account", Id=world.one("zuora", "Account", AccountNumber="A001")["CrmId"]).update(
        Name="Renamed"
    )
    world.snapshot(con)
    findings, _, reused = audit(con)
    evaluated = {rule.id for rule in RULES} - reused
    assert evaluated == set(rules_reading({"raw_salesforce.account"}))
    assert findings.equals(full_audit(world))


def test_a_changed_setting_reevaluates_every_rule():
    world, con = mixed_world(), duckdb.connect()
    world.snapshot(con)
    audit(con)
    findings, kept, reused = audit(con, invoice_tolerance_abs=Decimal("50.00"))
    assert kept == set() and reused == set()
    assert findings.equals(full_audit(world, invoice_tolerance_abs=Decimal("50.00")))


def test_tables_written_without_a_load_are_never_reused():
    con = mixed_world().connect()  # raw tables written directly: no load drew a change id
    audit(con)
    _, kept, reused = audit(con)
    assert kept == set() and reused == set()


def test_a_database_without_load_stamps_at_all_is_audited_in_full():
    world = mixed_world()
    con = world.connect()
    con.execute("DROP TABLE meta.raw_changes")  # raw tables copied in by other means, or by an older version
    findings, kept, reused = audit(con)
    again, kept_again, reused_again = audit(con)
    assert findings.equals(full_audit(world)) and again.equals(findings)
    assert kept == kept_again == set() and reused == reused_again == set()


def test_a_full_audit_evaluates_everything_again():
    world, con = mixed_world(), duckdb.connect()
    world.snapshot(con)
    audit(con)
    findings, kept, reused = audit(con, reuse=False)
    assert kept == set() and reused == set() and findings.equals(full_audit(world))


def test_what_does_not_read_the_audit_date_gives_the_same_rows_on_any_date():
    world, con = mixed_world(), duckdb.connect()
    world.snapshot(con)
    later = AS_OF + dt.timedelta(days=40)  # the invoice is overdue by then, its subscription still in force
    fingerprints, contents, results = {}, {}, {}
    for as_of in (AS_OF, later):
        build_staging(con, AuditSettings(as_of=as_of))
        inputs = AuditInputs(con, staged_params(con), VIEWS)
        fingerprints[as_of] = {name: inputs.of_staging(name) for name in STAGING_TABLES} | {
            rule.id: inputs.of_rule(rule.sql) for rule in RULES
        }
        contents[as_of] = {name: con.sql(f"SELECT * FROM staging.{name} ORDER BY ALL").pl() for name in STAGING_TABLES}
        results[as_of] = {run.rule.id: run.findings for run in run_rules(con)}
    assert None not in fingerprints[AS_OF].values()
    undated = {name for name, fingerprint in fingerprints[AS_OF].items() if fingerprint == fingerprints[later][name]}
    assert undated & STAGING_TABLES and undated & {rule.id for rule in RULES}
    for name in undated & STAGING_TABLES:
        assert contents[AS_OF][name].equals(contents[later][name]), name
    for rule_id in undated - STAGING_TABLES:
        assert results[AS_OF][rule_id] == results[later][rule_id], rule_id
    dated = [rule_id for rule_id in results[AS_OF] if results[AS_OF][rule_id] != results[later][rule_id]]
    assert dated and not set(dated) & undated, "the world has findings that the date alone changes"


def test_no_staging_or_rule_sql_reads_the_clock_or_chance():
    files = {f"staging.{view.name}": staging_sql(view.name) for view in STAGING_VIEWS}
    files |= {rule.id: rule.sql for rule in RULES}
    assert {name for name, text in files.items() if CLOCK_OR_CHANCE.search(re.sub(r"--[^\n]*", "", text))} == set()
