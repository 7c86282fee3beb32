"""Ignored records: excluded subscriptions and everything reaching the audit through them, excluded accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from audit_worlds import AS_OF


def broken_everywhere(world, name="A-S001", **fields):
    """A paid SaaS subscription with a defect for most rules that can concern it."""
    world.paid(name, GitLabNamespaceId__c=None, **fields)
    world.one("customersdot", "orders", subscription_name=name).update(quantity=3, product_rate_plan_id="prp-x")
    world.order(name, start=AS_OF - dt.timedelta(days=1), end=None, quantity=1)
    world.license(name, starts=dt.date(2026, 5, 1), expires=dt.date(2026, 4, 1))
    world.license(name, 7)
    world.one("zuora", "InvoiceItem", SubscriptionId=f"sub-{name}-v1").update(SKU="SKU-wrong")
    world.one("zuora", "Invoice", InvoiceNumber=f"INV-{name}").update(
        Balance=Decimal("10.00"), DueDate=AS_OF - dt.timedelta(days=90)
    )


def test_defects_on_an_excluded_subscription_raise_nothing(world):
    broken_everywhere(world, ExcludeFromAnalysis__c="True")
    assert world.pairs() == set()


def test_the_same_defects_are_found_when_not_excluded(world):
    broken_everywhere(world)
    assert {rule_id for rule_id, _ in world.pairs()} >= {
        "unknown_product_rate_plan", "term_mismatch", "seat_count_mismatch", "license_dates_invalid",
        "invoice_sku_mismatch", "overdue_invoice_on_active_entitlement",
    }


def test_opportunity_booked_only_on_an_excluded_subscription_is_ignored(world):
    world.paid("A-S001", ExcludeFromAnalysis__c="True")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001").update(AmountWithoutTax=Decimal("1.00"))
    assert world.pairs() == set()


def test_excluded_accounts_are_a_setting(world):
    broken_everywhere(world)
    world.paid("A-S002", account="A002")
    world.one("zuora", "Account", AccountNumber="A002").update(CrmId=None)
    assert world.pairs(excluded_zuora_accounts=("A001", "zacc-A002")) == set()


def test_deleted_and_duplicate_opportunities_are_ignored(world):
    world.paid("A-S001")
    opportunity_id = world.one("zuora", "Subscription", Name="A-S001")["OpportunityId__c"]
    opportunity = world.one("salesforce", "Opportunity", Id=opportunity_id)
    opportunity.update(Invoice_Number__c="INV-NOPE", StageName="10-Duplicate")
    assert world.pairs() == set()
    opportunity.update(StageName="Closed Won", IsDeleted=True)
    assert world.pairs() == set()
