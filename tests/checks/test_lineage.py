"""Lineage read from the SQL: table references, the staging build order, the tables each rule reads and the rules
fed by a raw table."""

import dagster as dg

from asset_keys import raw_asset_key
from assets.audit import staging_views
from checks.catalogue import RULES, rule
from checks.engine import STAGING_VIEWS
from checks.lineage import (
    raw_tables_read,
    rule_lineage,
    rule_reads,
    rules_reading,
    staging_direct_reads,
    tables_named,
)
from connectors.schema import SOURCE_OBJECTS, source_object


def test_a_query_names_its_raw_and_staging_tables_quoted_or_not():
    sql = 'SELECT * FROM raw_zuora."invoice" JOIN staging.orders USING (x) WHERE y IN (SELECT 1 FROM raw_zuora.Account)'
    assert tables_named(sql) == {"raw_zuora.invoice", "raw_zuora.account", "staging.orders"}


def test_table_references_skip_comments_strings_and_macros():
    sql = """
    -- reads raw_zuora.invoice in a comment only
    SELECT staging.sf_id18(a."Id"), 'staging.not_a_table' AS text
    FROM raw_salesforce."Account" AS a
    JOIN staging.latest_subscriptions AS s ON true
    /* staging.orders */
    """
    assert tables_named(sql) == {"raw_salesforce.account", "staging.latest_subscriptions"}


def test_staging_tables_are_followed_down_to_the_raw_tables():
    assert raw_tables_read("SELECT * FROM staging.cloud_activations") == {"raw_customersdot.cloud_activations"}
    assert "raw_customersdot.orders" in raw_tables_read("SELECT * FROM staging.active_orders")


def test_cloud_activations_feed_exactly_the_two_cloud_licensing_rules():
    assert set(rules_reading(["raw_customersdot.cloud_activations"])) == {
        "cloud_licensing_mismatch",
        "sm_subscription_without_license",
    }
    assert rules_reading([source_object("salesforce", "zqu__Quote__c").table]) == ("closed_won_not_booked",)


def test_every_rule_reads_declared_raw_tables_only():
    declared = {obj.table for obj in SOURCE_OBJECTS}
    lineage = rule_lineage()
    assert set(lineage) == {rule.id for rule in RULES}
    assert all(reads and reads <= declared for reads in lineage.values())


def test_each_staging_table_is_built_after_the_staging_tables_it_reads():
    order = [view.name for view in STAGING_VIEWS]
    for name, tables in staging_direct_reads().items():
        for table in tables:
            if table.startswith("staging."):
                assert order.index(table.removeprefix("staging.")) < order.index(name), (name, table)


def test_staging_assets_depend_on_what_their_sql_reads_not_on_every_raw_table():
    deps = {spec.key: {dep.asset_key for dep in spec.deps} for spec in staging_views.specs}
    orders = deps[dg.AssetKey(["staging", "orders"])]
    assert raw_asset_key(source_object("customersdot", "orders")) in orders
    assert raw_asset_key(source_object("zuora", "Invoice")) not in orders
    assert all(len(keys) < len(SOURCE_OBJECTS) for keys in deps.values())


def test_rule_checks_name_the_tables_their_rule_reads():
    assert rule_reads(rule("trial_too_long")) == (dg.AssetKey(["staging", "trial_orders"]),)
    assert all(rule_reads(entry) for entry in RULES)
