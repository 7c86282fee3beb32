"""A clean world is consistent across the three systems: links resolve, ids are well-formed and unique."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.schema import SOURCE_OBJECTS, source_object
from sandbox.generator.ids import sf18, sf_checksum
from sandbox.generator.provisioning import FREE_PLAN, TRIAL_PLANS
from sandbox.world import read_records

pytestmark = pytest.mark.slow  # reads the generated 1,500- and 3,000-customer worlds


@pytest.fixture(scope="module")
def records(clean_world: Path) -> dict[str, list[dict]]:
    """Every record of the clean world, by `system/Object`."""
    return {f"{o.system}/{o.name}": read_records(clean_world, o) for o in SOURCE_OBJECTS}


def _ids(records: dict[str, list[dict]], key: str, field: str = "Id") -> set:
    return {r[field] for r in records[key]}


def _trimmed(value: str | None) -> str | None:
    """A text value as the catalogue compares it (v1.1): surrounding whitespace removed."""
    return value.strip(" \t\n\r\x0b\x0c") if value is not None else None


def test_keys_are_unique(records: dict[str, list[dict]]) -> None:
    for obj in SOURCE_OBJECTS:
        keys = [r[obj.key] for r in records[f"{obj.system}/{obj.name}"]]
        assert len(keys) == len(set(keys)), obj.name


def test_ids_follow_each_system_convention(records: dict[str, list[dict]]) -> None:
    for obj in SOURCE_OBJECTS:
        for record in records[f"{obj.system}/{obj.name}"]:
            key = record[obj.key]
            if obj.system == "zuora":
                assert re.fullmatch(r"[0-9a-f]{32}", key)
            elif obj.system == "salesforce":
                assert len(key) == 18 and key[15:] == sf_checksum(key[:15])
            else:
                assert isinstance(key, int)
    assert all(re.fullmatch(r"A-S\d{8}", s["Name"]) for s in records["zuora/Subscription"])
    assert all(re.fullmatch(r"A\d{8}", a["AccountNumber"]) for a in records["zuora/Account"])
    assert all(re.fullmatch(r"INV\d{8}", i["InvoiceNumber"]) for i in records["zuora/Invoice"])


def test_zuora_records_link_up(records: dict[str, list[dict]]) -> None:
    versions = _ids(records, "zuora/Subscription")
    accounts = _ids(records, "zuora/Account")
    plans = _ids(records, "zuora/ProductRatePlan")
    rate_plans = _ids(records, "zuora/RatePlan")
    invoices = _ids(records, "zuora/Invoice")
    assert all(s["AccountId"] in accounts and s["InvoiceOwnerId"] in accounts for s in records["zuora/Subscription"])
    assert all(s["OriginalId"] in versions for s in records["zuora/Subscription"])
    assert all(rp["SubscriptionId"] in versions and rp["ProductRatePlanId"] in plans
               for rp in records["zuora/RatePlan"])
    assert all(c["RatePlanId"] in rate_plans for c in records["zuora/RatePlanCharge"])
    assert all(i["InvoiceId"] in invoices and i["SubscriptionId"] in versions for i in records["zuora/InvoiceItem"])
    by_name: dict[str, list[int]] = {}
    for s in records["zuora/Subscription"]:
        by_name.setdefault(s["Name"], []).append(s["Version"])
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in by_name.values())


def test_salesforce_links_resolve(records: dict[str, list[dict]]) -> None:
    accounts = {a["Id"]: a for a in records["salesforce/Account"]}
    opportunities = _ids(records, "salesforce/Opportunity")
    assert all(o["AccountId"] in accounts for o in records["salesforce/Opportunity"])
    assert all(q["zqu__Opportunity__c"] in opportunities for q in records["salesforce/zqu__Quote__c"])
    merged = [a for a in accounts.values() if a.get("MasterRecordId")]
    assert merged and all(a["IsDeleted"] and a["MasterRecordId"] in accounts for a in merged)
    assert any(accounts[a["MasterRecordId"]].get("MasterRecordId") for a in merged), "no chain of two merges"
    crm_ids = [a["CrmId"] for a in records["zuora/Account"] if a.get("CrmId")]
    assert any(len(c) == 15 for c in crm_ids) and all(sf18(c) in accounts for c in crm_ids)


def test_customersdot_links_resolve(records: dict[str, list[dict]]) -> None:
    names = {s["Name"] for s in records["zuora/Subscription"]}
    versions = _ids(records, "zuora/Subscription")
    zuora_accounts = _ids(records, "zuora/Account")
    plans = _ids(records, "zuora/ProductRatePlan") | set(TRIAL_PLANS) | {FREE_PLAN}
    customers = _ids(records, "customersdot/customers", "id")
    billing = _ids(records, "customersdot/billing_accounts", "id")
    orders = _ids(records, "customersdot/orders", "id")
    assert all(b["zuora_account_id"] in zuora_accounts for b in records["customersdot/billing_accounts"])
    for order in records["customersdot/orders"]:
        assert order["customer_id"] in customers and order["product_rate_plan_id"] in plans
        assert order.get("billing_account_id") is None or order["billing_account_id"] in billing
        if order.get("subscription_name"):
            assert _trimmed(order["subscription_name"]) in names and order["subscription_id"] in versions
    for lic in records["customersdot/licenses"]:
        assert (lic["trial"] or _trimmed(lic.get("zuora_subscription_name")) in names
                or lic["expires_at"] <= "2025-06-30")
    assert all(_trimmed(a["subscription_name"]) in names for a in records["customersdot/cloud_activations"])
    assert all(link["order_id"] in orders and _trimmed(link["zuora_subscription_name"]) in names
               for link in records["customersdot/license_seat_links"])
    padded = [o["subscription_name"] for o in records["customersdot/orders"] if o.get("subscription_name")]
    assert any(name != _trimmed(name) for name in padded), "no padded subscription name (a trap of v1.1)"


def test_world_has_the_variety_of_real_data(records: dict[str, list[dict]]) -> None:
    subs = records["zuora/Subscription"]
    assert {"Active", "Cancelled", "Expired", "Draft"} <= {s["Status"] for s in subs}
    assert {"TERMED", "EVERGREEN"} == {s["TermType"] for s in subs}
    assert any(s["AccountId"] != s["InvoiceOwnerId"] for s in subs)
    assert any(s.get("Renewal_Subscription__c__c") for s in subs)
    assert any(s["ExcludeFromAnalysis__c"] == "True" for s in subs)
    assert any((s.get("OpportunityId__c") or "").startswith("https://") for s in subs)
    latest = {s["Id"] for s in subs if s["Status"] != "Expired"}
    assert any(o.get("subscription_id") and o["subscription_id"] not in latest for o in records["customersdot/orders"])
    assert any(o["trial"] for o in records["customersdot/orders"])
    assert any(lic["trial"] for lic in records["customersdot/licenses"])
    assert {"Closed Won", "8-Closed Lost", "10-Duplicate"} <= {o["StageName"] for o in
                                                             records["salesforce/Opportunity"]}
    assert any(o["Web_Portal_Purchase__c"] for o in records["salesforce/Opportunity"])
    names = [a["Name"] for a in records["salesforce/Account"]]
    assert any(not n.isascii() for n in names)
    tiers = {p["ProductTier__c"] for p in records["zuora/Product"]}
    assert {"SaaS - Premium", "SaaS - Ultimate", "Self-Managed - Premium", "Self-Managed - Ultimate",
            "Dedicated - Ultimate", "Storage", "Trueup", "Other"} <= tiers


def test_names_include_spreadsheet_formula_starts(defect_world: Path) -> None:
    names = [a["Name"] for a in read_records(defect_world, source_object("salesforce", "Account"))]
    assert {n[0] for n in names} & {"=", "+", "-", "@"}
