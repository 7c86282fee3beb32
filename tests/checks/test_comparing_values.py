"""Comparing values (catalogue v1.1): text compared trimmed, blank text empty, and empty against set values."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from audit_worlds import sku

from checks.lineage import MACROS, staging_sql


@pytest.mark.parametrize(
    ("written", "compared"),
    [
        ("INV00014275 ", "INV00014275"),
        ("\tA-S00012345\r\n", "A-S00012345"),
        ("\x0bns 42\x0c", "ns 42"),
        ("ns 42", "ns 42"),
        ("é ", "é"),
        (" Zürich 日本", "Zürich 日本"),
        ("\x01A-S1\x7f", "\x01A-S1\x7f"),
        ("  ", None),
        ("\t\n", None),
        ("", None),
        (None, None),
    ],
)
def test_text_is_trimmed_and_blank_is_empty(written, compared):
    con = duckdb.connect()
    con.execute(staging_sql(MACROS))
    assert con.execute("SELECT staging.text(?)", [written]).fetchall() == [(compared,)]


def opportunity_of(world, name):
    """The opportunity booked on subscription `name`."""
    opportunity_id = world.one("zuora", "Subscription", Name=name)["OpportunityId__c"]
    return world.one("salesforce", "Opportunity", Id=opportunity_id)


def test_padded_customersdot_identifiers_name_their_records(world):
    world.paid("A-S001")
    world.one("customersdot", "orders", subscription_name="A-S001").update(
        subscription_name="A-S001 ", gl_namespace_id="\tns-A-S001", product_rate_plan_id="prp-premium-saas\n"
    )
    world.paid("A-S002", "premium-sm", account="A002", TurnOnCloudLicensing__c="Yes")
    world.one("customersdot", "licenses", zuora_subscription_name="A-S002").update(zuora_subscription_name="A-S002\t")
    world.one("customersdot", "orders", subscription_name="A-S002").update(subscription_name=" A-S002")
    world.activation("A-S002\r\n")
    world.seat_link(" A-S002 ", max_users=12)
    assert world.pairs() == {("unbilled_seat_overage", "A-S002")}


def test_padded_zuora_and_salesforce_identifiers_name_their_records(world):
    world.paid("A-S001", GitLabNamespaceId__c="ns-A-S001 ")
    world.one("customersdot", "orders", subscription_name="A-S001").update(gl_namespace_id="ns-A-S001")
    world.one("zuora", "Subscription", Name="A-S001").update(Name="A-S001\t", TermType="TERMED ")
    opportunity_of(world, "A-S001\t").update(Invoice_Number__c="INV-A-S001 ")
    world.paid("A-S002", account="A002")
    world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S002-v1").update(SKU=f" {sku('premium-saas')}\t")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S002").update(InvoiceNumber="INV-A-S002\n")
    account = world.account_record("A002")
    account.update(CrmId=f"{account['CrmId']} ")
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A002").update(
        zuora_account_id="zacc-A002 ", salesforce_account_id=f"\t{account['CrmId'].strip()}"
    )
    assert world.pairs() == set()


def test_a_quote_naming_a_padded_subscription_books_its_opportunity(world):
    world.paid("A-S001")
    crm_id = world.account_record("A001")["CrmId"]
    quoted = world.opportunity(crm_id)
    world.quote(quoted, "A-S001 \t", zqu__Status__c="Sent to Z-Billing ")
    unquoted = world.opportunity(crm_id)
    world.quote(unquoted, "A-S999 ")
    assert world.pairs() == {("closed_won_not_booked", unquoted)}


def test_text_that_still_differs_once_trimmed_is_a_finding(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(subscription_name="A-S001 x")
    item = world.one("zuora", "InvoiceItem", SKU=sku("premium-saas"))
    item.update(SKU=f"{sku('premium-saas')}-OLD ")
    assert world.pairs() == {
        ("order_without_subscription", str(order["id"])),
        ("subscription_missing_order", "A-S001"),
        ("invoice_sku_mismatch", item["Id"]),
    }


def test_an_order_without_quantity_does_not_match_the_seats(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(quantity=None)
    assert world.pairs() == {("seat_count_mismatch", str(order["id"]))}


def test_an_order_without_end_date_does_not_match_a_termed_subscription(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(end_date=None)
    assert world.pairs() == {("term_mismatch", str(order["id"]))}


def test_a_license_without_users_count_does_not_match_the_seats(world):
    world.paid("A-S001", "premium-sm")
    world.one("customersdot", "licenses", zuora_subscription_name="A-S001").update(users_count=None)
    assert world.pairs() == {("license_seat_mismatch", "A-S001")}


def test_an_invoice_item_without_sku_does_not_match_its_product(world):
    world.paid("A-S001")
    item = world.one("zuora", "InvoiceItem", SKU=sku("premium-saas"))
    item.update(SKU=None)
    assert world.pairs() == {("invoice_sku_mismatch", item["Id"])}


def test_a_catalog_product_without_sku_raises_no_invoice_sku_mismatch(world):
    world.one("zuora", "Product", Id="prod-premium-saas").update(SKU=None)
    world.paid("A-S001")
    world.paid("A-S002", account="A002")
    world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S002-v1").update(SKU=None)
    assert world.pairs() == set()


def test_an_empty_namespace_on_either_side_is_no_namespace_mismatch(world):
    world.paid("A-S001")
    world.one("customersdot", "orders", subscription_name="A-S001").update(gl_namespace_id=None)
    world.paid("A-S002", account="A002", GitLabNamespaceId__c=None)
    world.one("customersdot", "orders", subscription_name="A-S002").update(gl_namespace_id="ns-other")
    assert world.pairs() == set()


def test_an_empty_salesforce_link_is_no_crm_account_mismatch(world):
    world.paid("A-S001")
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A001").update(salesforce_account_id=None)
    world.paid("A-S002", account="A002")
    world.account_record("A002").update(CrmId=None)
    assert world.pairs() == {("crm_account_link_broken", "A002")}


def test_an_empty_amount_is_no_invoice_amount_mismatch(world):
    world.paid("A-S001")
    opportunity_of(world, "A-S001").update(Amount=None)
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001").update(AmountWithoutTax=Decimal("9999.00"))
    assert world.pairs() == set()
