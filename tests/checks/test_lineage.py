"""The raw tables each rule reads, derived from its SQL through the staging tables."""

from checks.catalogue import RULES
from checks.lineage import raw_tables_read, rule_lineage, rules_reading, tables_named
from connectors.schema import SOURCE_OBJECTS


def test_a_query_names_its_raw_and_staging_tables_quoted_or_not():
    sql = 'SELECT * FROM raw_zuora."invoice" JOIN staging.orders USING (x) WHERE y IN (SELECT 1 FROM raw_zuora.Account)'
    assert tables_named(sql) == {"raw_zuora.invoice", "raw_zuora.account", "staging.orders"}


def test_staging_tables_are_followed_down_to_the_raw_tables():
    assert raw_tables_read("SELECT * FROM staging.cloud_activations") == {"raw_customersdot.cloud_activations"}
    assert "raw_customersdot.orders" in raw_tables_read("SELECT * FROM staging.active_orders")


def test_cloud_activations_feed_exactly_the_two_cloud_licensing_rules():
    assert set(rules_reading(["raw_customersdot.cloud_activations"])) == {
        "cloud_licensing_mismatch",
        "sm_subscription_without_license",
    }


def test_every_rule_reads_declared_raw_tables_only():
    declared = {obj.table for obj in SOURCE_OBJECTS}
    lineage = rule_lineage()
    assert set(lineage) == {rule.id for rule in RULES}
    assert all(reads and reads <= declared for reads in lineage.values())
