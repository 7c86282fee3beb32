"""Provisioning rules: Zuora subscriptions against CustomersDot orders."""

from __future__ import annotations

import datetime as dt
import json

from audit_worlds import AS_OF, TERM_END, TERM_START, prp


def test_subscription_missing_order(world):
    world.paid("A-S001")
    world.paid("A-S002", "premium-sm", account="A002")
    world.remove("customersdot", "orders", subscription_name="A-S001")
    world.remove("customersdot", "orders", subscription_name="A-S002")
    assert world.pairs() == {
        ("subscription_missing_order", "A-S001"),
        ("subscription_missing_order", "A-S002"),
    }


def test_orders_that_are_not_active_do_not_count(world):
    world.paid("A-S001")
    world.one("customersdot", "orders", subscription_name="A-S001").update(end_date=AS_OF.isoformat())
    world.paid("A-S002", account="A002")
    world.one("customersdot", "orders", subscription_name="A-S002").update(
        trial=True, start_date="2026-06-01", end_date="2026-06-30"
    )
    world.paid("A-S003", account="A003")
    world.one("customersdot", "orders", subscription_name="A-S003").update(product_rate_plan_id="free-plan-id")
    missing = {("subscription_missing_order", name) for name in ("A-S001", "A-S002", "A-S003")}
    assert world.pairs() == missing


def test_order_starting_on_d_is_active(world):
    world.paid("A-S001")
    world.one("customersdot", "orders", subscription_name="A-S001").update(start_date=AS_OF.isoformat())
    assert ("subscription_missing_order", "A-S001") not in world.pairs()


def test_order_on_an_older_version_id_matches_by_name(world):
    world.subscription("A-S001", {"premium-saas": 10}, Status="Expired", GitLabNamespaceId__c="ns-A-S001")
    world.paid("A-S001", version=2)
    assert world.one("customersdot", "orders", subscription_name="A-S001")["subscription_id"] == "sub-A-S001-v1"
    assert world.pairs() == set()


def test_dedicated_subscription_needs_no_order(world):
    world.paid("A-S001", "dedicated", 50)
    world.remove("customersdot", "orders", subscription_name="A-S001")
    assert world.pairs() == set()


def test_order_without_subscription(world):
    world.paid("A-S001")
    unknown = world.order("A-S999")
    unnamed = world.order(None)
    world.order("A-S998", trial=True, start=AS_OF, end=AS_OF + dt.timedelta(days=1))
    world.order("A-S997", "free-plan-id")
    world.order("A-S996", end=AS_OF)
    assert world.pairs() == {
        ("order_without_subscription", unknown),
        ("order_without_subscription", unnamed),
    }


def test_order_outlives_cancelled_subscription(world):
    world.paid("A-S001", Status="Cancelled", SubscriptionEndDate=AS_OF - dt.timedelta(days=10))
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    assert world.pairs() == {("order_outlives_subscription", str(order["id"]))}


def test_order_of_a_subscription_starting_after_d_is_not_outliving(world):
    start = AS_OF + dt.timedelta(days=5)
    world.paid("A-S001", start=start, end=start + dt.timedelta(days=365))
    world.one("customersdot", "orders", subscription_name="A-S001").update(start_date=TERM_START.isoformat())
    assert world.pairs() == set()


def test_saas_subscription_without_namespace(world):
    world.paid("A-S001", GitLabNamespaceId__c=None)
    world.paid("A-S002", GitLabNamespaceId__c=None, account="A002")
    world.order("A-S002", gl_namespace_id="ns-linked")
    assert world.pairs() == {("saas_subscription_without_namespace", "A-S001")}


def test_namespace_mismatch(world):
    world.paid("A-S001")
    world.one("customersdot", "orders", subscription_name="A-S001").update(gl_namespace_id="ns-other")
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {("namespace_mismatch", "A-S001")}
    assert findings.row(0, named=True)["namespace_id"] == "ns-A-S001"


def test_rate_plan_mismatch_lists_the_subscription_plans_in_a_fixed_order(world):
    world.account("A001")
    world.subscription("A-S001", {"ultimate-saas": 10, "storage": 1, "premium-saas": 10})
    order = world.order("A-S001", "dedicated")
    [finding] = [f for f in world.findings().to_dicts() if f["rule_id"] == "rate_plan_mismatch"]
    assert finding["subject_id"] == order
    zuora = json.loads(finding["evidence"])["zuora"]
    assert zuora["rate_plan_ids"] == sorted(prp(key) for key in ("ultimate-saas", "storage", "premium-saas"))
    assert zuora["rate_plans"] == sorted(zuora["rate_plans"]) and len(zuora["rate_plans"]) == 3


def test_rate_plan_mismatch_after_a_plan_change(world):
    world.subscription("A-S001", {"premium-saas": 10}, Status="Expired", GitLabNamespaceId__c="ns-A-S001")
    world.paid("A-S001", "ultimate-saas", version=2)
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(product_rate_plan_id=prp("premium-saas"), subscription_id="sub-A-S001-v1")
    assert world.pairs() == {("rate_plan_mismatch", str(order["id"]))}


def test_seat_count_mismatch(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(quantity=8)
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {("seat_count_mismatch", str(order["id"]))}
    finding = findings.row(0, named=True)
    assert (finding["subscription_name"], finding["order_id"], finding["zuora_account_number"]) == (
        "A-S001", str(order["id"]), "A001")
    assert "has 10 seats" in finding["summary"] and "has 8" in finding["summary"]


def test_seats_count_the_charges_in_effect_on_d(world):
    add_on = dt.date(2026, 5, 1)
    world.paid("A-S001", seats=15)
    world.remove("zuora", "RatePlanCharge")
    rate_plan = world.one("zuora", "RatePlan", SubscriptionId="sub-A-S001-v1")["Id"]
    for quantity, start, end in ((10, TERM_START, add_on), (15, add_on, TERM_END)):
        world.add("zuora", "RatePlanCharge", Id=f"rpc-{quantity}", RatePlanId=rate_plan, ChargeType="Recurring",
                  Quantity=quantity, EffectiveStartDate=start, EffectiveEndDate=end)
    world.add("zuora", "RatePlanCharge", Id="rpc-once", RatePlanId=rate_plan, ChargeType="OneTime", Quantity=7,
              EffectiveStartDate=TERM_START, EffectiveEndDate=TERM_END)
    assert world.pairs() == set()
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    assert world.pairs(as_of=add_on - dt.timedelta(days=1)) == {("seat_count_mismatch", str(order["id"]))}


def test_dedicated_subscriptions_take_part_in_order_rules(world):
    world.paid("A-S001", "dedicated", 50)
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(quantity=40)
    assert world.pairs() == {("seat_count_mismatch", str(order["id"]))}


def test_term_mismatch(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(end_date="2026-12-31")
    assert world.pairs() == {("term_mismatch", str(order["id"]))}


def test_cancelled_subscription_ends_on_its_subscription_end_date(world):
    cancelled_on = dt.date(2026, 9, 1)
    world.paid("A-S001", Status="Cancelled", SubscriptionEndDate=cancelled_on)
    world.paid("A-S002", Status="Cancelled", SubscriptionEndDate=cancelled_on, account="A002")
    world.one("customersdot", "orders", subscription_name="A-S001").update(end_date=cancelled_on.isoformat())
    order = world.one("customersdot", "orders", subscription_name="A-S002")
    assert world.pairs() == {("term_mismatch", str(order["id"]))}


def test_evergreen_subscription_is_in_force_without_end(world):
    world.paid("A-S001", TermType="EVERGREEN", end=None)
    world.one("customersdot", "orders", subscription_name="A-S001").update(end_date="2026-12-31")
    assert world.pairs() == set()
    world.remove("customersdot", "orders")
    assert world.pairs(as_of=dt.date(2030, 1, 1)) == {("subscription_missing_order", "A-S001")}


def test_subscription_in_force_is_half_open(world):
    world.paid("A-S001", start=AS_OF, end=AS_OF + dt.timedelta(days=365))
    world.paid("A-S002", start=AS_OF - dt.timedelta(days=365), end=AS_OF, account="A002")
    world.remove("customersdot", "orders")
    assert world.pairs() == {("subscription_missing_order", "A-S001")}


def test_unknown_order_plans_raise_no_rate_plan_mismatch(world):
    world.paid("A-S001")
    order = world.one("customersdot", "orders", subscription_name="A-S001")
    order.update(product_rate_plan_id="prp-legacy-bronze")
    assert world.pairs() == {("unknown_product_rate_plan", str(order["id"]))}

