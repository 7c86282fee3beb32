"""Catalog rules (SKUs, rate plans) and subscription hygiene rules."""

from __future__ import annotations

import datetime as dt

from audit_worlds import AS_OF, TERM_START, prp


def test_unknown_product_rate_plan(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(product_rate_plan_id="prp-retired-bronze")
    stray = world.order("A-S999", "prp-retired-bronze")
    assert world.pairs() == {
        ("unknown_product_rate_plan", str(order["id"])),
        ("unknown_product_rate_plan", stray),
        ("order_without_subscription", stray),
    }


def test_retired_rate_plan_sold(world):
    world.paid("A-S001")
    world.one("zuora", "ProductRatePlan", Id=prp("premium-saas")).update(EffectiveEndDate=TERM_START.isoformat())
    assert world.pairs() == {("retired_rate_plan_sold", "A-S001")}
    world.one("zuora", "ProductRatePlan", Id=prp("premium-saas")).update(EffectiveEndDate="2026-01-02")
    assert world.pairs() == set()


def test_invoice_sku_mismatch(world):
    world.paid("A-S001")
    item = world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S001-v1")
    item.update(SKU="SKU-legacy")
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {("invoice_sku_mismatch", item["Id"])}
    assert findings.row(0, named=True)["invoice_number"] == "INV-A-S001"


def test_invoices_older_than_a_year_are_not_examined(world):
    world.paid("A-S001")
    world.one("zuora", "InvoiceItem", SubscriptionId="sub-A-S001-v1").update(SKU="SKU-legacy")
    invoice = world.one("zuora", "Invoice", InvoiceNumber="INV-A-S001")
    invoice.update(InvoiceDate=(AS_OF - dt.timedelta(days=366)).isoformat())
    assert world.pairs() == set()
    invoice.update(InvoiceDate=(AS_OF - dt.timedelta(days=365)).isoformat())
    assert len(world.pairs()) == 1


def test_duplicate_namespace_subscriptions(world):
    world.paid("A-S001", GitLabNamespaceId__c="ns-shared")
    world.paid("A-S002", GitLabNamespaceId__c=None, account="A002")
    world.one("customersdot", "orders", subscription_name="A-S002").update(gl_namespace_id="ns-shared")
    world.paid("A-S003", "premium-sm", account="A003")
    world.one("customersdot", "orders", subscription_name="A-S003").update(gl_namespace_id="ns-shared")
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {
        ("duplicate_namespace_subscriptions", "ns-shared")
    }
    assert findings.row(0, named=True)["namespace_id"] == "ns-shared"


def test_auto_renew_will_fail(world):
    renews = AS_OF + dt.timedelta(days=20)
    soon = {"start": renews - dt.timedelta(days=365), "end": renews, "TurnOnAutoRenew__c": "Yes"}
    world.paid("A-S001", Notes="RENEWAL_ERROR: card declined", **soon)
    world.paid("A-S002", account="A002", **soon)
    world.paid("A-S003", account="A003", Notes="RENEWAL_ERROR", **{**soon, "TurnOnAutoRenew__c": "No"})
    world.paid("A-S004", account="A004", Notes="RENEWAL_ERROR", **{**soon, "end": AS_OF + dt.timedelta(days=30)})
    assert world.pairs() == {("auto_renew_will_fail", "A-S001")}


def test_auto_renew_with_two_base_plans(world):
    renews = AS_OF + dt.timedelta(days=10)
    world.subscription("A-S001", {"premium-saas": 10, "ultimate-saas": 5, "storage": 1},
                       start=renews - dt.timedelta(days=365), end=renews, TurnOnAutoRenew__c="Yes")
    world.subscription("A-S002", {"premium-saas": 10, "storage": 1}, start=renews - dt.timedelta(days=365),
                       end=renews, TurnOnAutoRenew__c="Yes")
    pairs = {pair for pair in world.pairs() if pair[0] == "auto_renew_will_fail"}
    assert pairs == {("auto_renew_will_fail", "A-S001")}


def ended_and_renewed(world, **renewal_fields):
    """A-S001 ended 45 days before D (account A001); A-S002 starts on its end (account A002)."""
    ended = AS_OF - dt.timedelta(days=45)
    world.subscription("A-S001", {"premium-saas": 10}, start=ended - dt.timedelta(days=365), end=ended,
                       GitLabNamespaceId__c="ns-A-S001")
    world.paid("A-S002", account="A002", start=ended, end=ended + dt.timedelta(days=365), **renewal_fields)


def test_renewal_not_linked_on_the_same_crm_account(world):
    ended_and_renewed(world)
    crm = world.one("zuora", "Account", AccountNumber="A001")["CrmId"]
    world.one("zuora", "Account", AccountNumber="A002").update(CrmId=crm[:15])
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A002").update(salesforce_account_id=crm)
    assert world.pairs() == {("renewal_not_linked", "A-S001")}
    world.one("zuora", "Subscription", Name="A-S001").update(Renewal_Subscription__c__c="A-S002")
    assert world.pairs() == set()


def test_renewal_on_another_account_and_crm_is_not_a_renewal(world):
    ended_and_renewed(world)
    assert world.pairs() == set()


def test_renewal_must_share_the_deployment_and_start_near_the_end(world):
    ended = AS_OF - dt.timedelta(days=45)
    world.subscription("A-S001", {"premium-saas": 10}, start=ended - dt.timedelta(days=365), end=ended)
    world.paid("A-S002", "premium-sm", start=ended, end=ended + dt.timedelta(days=365))
    late = ended + dt.timedelta(days=31)
    world.paid("A-S003", start=late, end=late + dt.timedelta(days=365))
    assert world.pairs() == set()
    near = ended - dt.timedelta(days=30)
    world.paid("A-S004", start=near, end=near + dt.timedelta(days=365))
    assert world.pairs() == {("renewal_not_linked", "A-S001")}


def test_renewal_lookback_window(world):
    ended = AS_OF - dt.timedelta(days=61)
    world.subscription("A-S001", {"premium-saas": 10}, start=ended - dt.timedelta(days=365), end=ended)
    world.paid("A-S002", start=ended, end=ended + dt.timedelta(days=365))
    assert world.pairs() == set()
    assert world.pairs(renewal_lookback_days=61) == {("renewal_not_linked", "A-S001")}
    assert world.pairs(as_of=AS_OF - dt.timedelta(days=1)) == {("renewal_not_linked", "A-S001")}


def test_trial_too_long(world):
    start = AS_OF - dt.timedelta(days=10)
    too_long = world.order(None, "ultimate-saas-trial-plan-id", start=start, end=start + dt.timedelta(days=31))
    endless = world.order(None, "premium-saas", start=start, end=None, trial=True)
    world.order(None, "ultimate-saas-trial-plan-id", start=start, end=start + dt.timedelta(days=30))
    world.order(None, "ultimate-saas-trial-plan-id", start=start - dt.timedelta(days=60), end=start)
    assert world.pairs() == {("trial_too_long", too_long), ("trial_too_long", endless)}
