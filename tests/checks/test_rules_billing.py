"""Billing rules: Zuora invoices against Salesforce opportunities and CustomersDot entitlements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from audit_worlds import AS_OF, TERM_START


def opportunity_of(world, name):
    """The opportunity booked on subscription `name`."""
    opportunity_id = world.one("zuora", "Subscription", Name=name)["OpportunityId__c"]
    return world.one("salesforce", "Opportunity", Id=opportunity_id)


def test_opportunity_invoice_missing(world):
    world.paid("A-S001")
    world.paid("A-S002")
    wrong = opportunity_of(world, "A-S001")
    wrong.update(Invoice_Number__c="INV-NOPE")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S002").update(Status="Draft")
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {
        ("opportunity_invoice_missing", wrong["Id"]),
        ("opportunity_invoice_missing", opportunity_of(world, "A-S002")["Id"]),
        ("subscription_not_invoiced", "A-S002"),
    }
    assert set(findings["invoice_number"]) == {"INV-NOPE", "INV-A-S002", None}


def test_recent_opportunities_have_grace_days_for_their_invoice(world):
    world.paid("A-S001")
    opportunity_of(world, "A-S001").update(Invoice_Number__c="INV-NOPE", CloseDate=AS_OF - dt.timedelta(days=6))
    assert world.pairs() == set()


def test_invoice_amount_mismatch(world):
    world.paid("A-S001")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001").update(AmountWithoutTax=Decimal("2250.00"))
    world.paid("A-S002")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S002").update(AmountWithoutTax=Decimal("2260.00"))
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {
        ("invoice_amount_mismatch", opportunity_of(world, "A-S001")["Id"])
    }
    assert "2280.00" in findings["summary"][0] and "2250.00" in findings["summary"][0]


def test_invoice_amount_tolerance_boundary(world):
    world.paid("A-S001")
    world.paid("A-S002")
    for name, invoiced in (("A-S001", "98.99"), ("A-S002", "99.00")):
        opportunity_of(world, name).update(Amount=Decimal("100.00"))
        world.one("zuora", "Invoice", InvoiceNumber=f"INV-{name}").update(AmountWithoutTax=Decimal(invoiced))
    assert world.pairs() == {("invoice_amount_mismatch", opportunity_of(world, "A-S001")["Id"])}
    assert world.pairs(invoice_tolerance_abs=Decimal("2.00")) == set()


def test_overdue_invoice_on_active_entitlement(world):
    world.paid("A-S001")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001").update(
        Balance=Decimal("100.00"), DueDate=AS_OF - dt.timedelta(days=31)
    )
    world.paid("A-S002", account="A002")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S002").update(
        Balance=Decimal("100.00"), DueDate=AS_OF - dt.timedelta(days=30)
    )
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {
        ("overdue_invoice_on_active_entitlement", "INV-A-S001")
    }
    finding = findings.row(0, named=True)
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    assert (finding["subscription_name"], finding["order_id"]) == ("A-S001", str(order["id"]))


def test_overdue_invoice_without_entitlement_is_left_to_billing(world):
    world.paid("A-S001", "premium-sm")
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001").update(
        Balance=Decimal("100.00"), DueDate=AS_OF - dt.timedelta(days=60)
    )
    assert world.pairs() == {("overdue_invoice_on_active_entitlement", "INV-A-S001")}
    world.remove("customersdot", "orders")
    assert world.pairs() == {
        ("overdue_invoice_on_active_entitlement", "INV-A-S001"),
        ("subscription_missing_order", "A-S001"),
    }
    world.one("customersdot", "licenses", zuora_subscription_name="A-S001").update(expires_at=AS_OF.isoformat())
    assert world.pairs() == {
        ("subscription_missing_order", "A-S001"),
        ("license_expires_before_term", "A-S001"),
    }


def test_subscription_not_invoiced(world):
    world.paid("A-S001")
    world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S001-v1").update(ServiceStartDate="2025-01-01")
    world.paid("A-S002", start=AS_OF - dt.timedelta(days=29), end=AS_OF + dt.timedelta(days=336))
    world.remove("zuora", "InvoiceItem", SubscriptionId="sub-A-S002-v1")
    assert world.pairs() == {("subscription_not_invoiced", "A-S001")}


def test_invoice_items_of_any_version_count(world):
    world.subscription("A-S001", {"premium-saas": 10}, Status="Expired")
    world.paid("A-S001", version=2)
    world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S001-v2").update(SubscriptionId="sub-A-S001-v1")
    assert world.pairs() == set()
    world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001").update(Status="Draft")
    assert ("subscription_not_invoiced", "A-S001") in world.pairs()


def test_term_start_exactly_at_the_threshold_is_examined(world):
    world.paid("A-S001", start=AS_OF - dt.timedelta(days=30), end=AS_OF + dt.timedelta(days=335))
    world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S001-v1").update(ServiceStartDate=TERM_START.isoformat())
    assert world.pairs() == {("subscription_not_invoiced", "A-S001")}
