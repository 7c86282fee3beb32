"""The ground truth: every rule is injected, and an audit per rules.md finds exactly what was injected."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from generator_reference_audit import audit

from connectors.schema import source_object
from sandbox.generator import generate
from sandbox.generator.defects import INJECTORS
from sandbox.world import EXPECTED_FINDINGS, read_expected_findings, read_records

RULE_IDS = {
    "subscription_missing_order", "order_without_subscription", "order_outlives_subscription",
    "saas_subscription_without_namespace", "namespace_mismatch", "rate_plan_mismatch", "seat_count_mismatch",
    "term_mismatch", "sm_subscription_without_license", "license_without_subscription", "license_seat_mismatch",
    "license_expires_before_term", "license_dates_invalid", "cloud_licensing_mismatch", "unbilled_seat_overage",
    "crm_account_link_broken", "crm_account_mismatch", "closed_won_not_booked", "opportunity_invoice_missing",
    "invoice_amount_mismatch", "overdue_invoice_on_active_entitlement", "subscription_not_invoiced",
    "unknown_product_rate_plan", "retired_rate_plan_sold", "invoice_sku_mismatch",
    "duplicate_namespace_subscriptions", "auto_renew_will_fail", "renewal_not_linked", "trial_too_long",
}


def test_there_is_one_injector_per_rule() -> None:
    assert set(INJECTORS) == RULE_IDS


def test_every_rule_has_several_distinct_subjects(defect_world: Path) -> None:
    subjects = defaultdict(set)
    for rule_id, subject_id in read_expected_findings(defect_world):
        subjects[rule_id].add(subject_id)
    assert set(subjects) == RULE_IDS
    assert {rule: len(ids) for rule, ids in subjects.items() if len(ids) < 2} == {}


def test_some_defects_are_empty_values(defect_world: Path) -> None:
    subjects = defaultdict(set)
    for rule_id, subject_id in read_expected_findings(defect_world):
        subjects[rule_id].add(subject_id)

    def records(system: str, name: str) -> list[dict]:
        return read_records(defect_world, source_object(system, name))

    assert any(str(o["id"]) in subjects["seat_count_mismatch"] and o.get("quantity") is None
               for o in records("customersdot", "orders"))
    assert any(lic.get("zuora_subscription_name") in subjects["license_seat_mismatch"]
               and lic.get("users_count") is None for lic in records("customersdot", "licenses"))
    assert any(i["Id"] in subjects["invoice_sku_mismatch"] and i.get("SKU") is None
               for i in records("zuora", "InvoiceItem"))


def test_audit_finds_exactly_the_injected_defects(defect_world: Path) -> None:
    expected = read_expected_findings(defect_world)
    found = audit(defect_world)
    assert sorted(found - expected) == []
    assert sorted(expected - found) == []


def test_clean_world_has_no_findings(clean_world: Path) -> None:
    assert not (clean_world / EXPECTED_FINDINGS).exists()
    assert sorted(audit(clean_world)) == []


@pytest.mark.parametrize(("customers", "seed", "as_of"), [
    (60, 3, dt.date(2024, 2, 29)),
    (400, 11, dt.date(2027, 1, 31)),
    (900, 23, None),
])
def test_ground_truth_holds_across_sizes_seeds_and_dates(tmp_path: Path, customers: int, seed: int,
                                                         as_of: dt.date | None) -> None:
    generate(tmp_path, customers=customers, seed=seed, as_of=as_of)
    assert audit(tmp_path) == read_expected_findings(tmp_path)


def test_clean_generation_over_a_defect_world_removes_the_ground_truth(tmp_path: Path) -> None:
    generate(tmp_path, customers=80, seed=5)
    generate(tmp_path, customers=80, seed=5, defects=False)
    assert read_expected_findings(tmp_path) is None
    assert audit(tmp_path) == set()
