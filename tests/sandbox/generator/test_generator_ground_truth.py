"""The ground truth: every rule is injected, and an audit per rules.md finds exactly what was injected."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from generator_reference_audit import audit

from checks.catalogue import RULES
from connectors.schema import source_object
from sandbox.generator import generate
from sandbox.generator.defects import INJECTORS
from sandbox.world import EXPECTED_FINDINGS, read_expected_findings, read_records

RULE_IDS = {rule.id for rule in RULES}


def test_there_is_one_injector_per_rule() -> None:
    without_injector = sorted(RULE_IDS - set(INJECTORS))
    without_rule = sorted(set(INJECTORS) - RULE_IDS)
    assert not without_injector, f"rules with no defect injector in sandbox/generator/defects/: {without_injector}"
    assert not without_rule, f"defect injectors named after no rule of checks/rules/: {without_rule}"


@pytest.mark.slow
def test_every_rule_has_several_distinct_subjects(defect_world: Path) -> None:
    subjects = defaultdict(set)
    for rule_id, subject_id in read_expected_findings(defect_world):
        subjects[rule_id].add(subject_id)
    assert set(subjects) == RULE_IDS
    assert {rule: len(ids) for rule, ids in subjects.items() if len(ids) < 2} == {}


@pytest.mark.slow
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


@pytest.mark.slow
def test_audit_finds_exactly_the_injected_defects(defect_world: Path) -> None:
    expected = read_expected_findings(defect_world)
    found = audit(defect_world)
    assert sorted(found - expected) == []
    assert sorted(expected - found) == []


@pytest.mark.slow
def test_clean_world_has_no_findings(clean_world: Path) -> None:
    assert not (clean_world / EXPECTED_FINDINGS).exists()
    assert sorted(audit(clean_world)) == []


@pytest.mark.slow
@pytest.mark.parametrize(("customers", "seed", "as_of"), [
    (60, 3, dt.date(2024, 2, 29)),
    (400, 11, dt.date(2027, 1, 31)),
    (900, 23, None),
])
def test_ground_truth_holds_across_sizes_seeds_and_dates(tmp_path: Path, customers: int, seed: int,
                                                         as_of: dt.date | None) -> None:
    generate(tmp_path, customers=customers, seed=seed, as_of=as_of)
    assert audit(tmp_path) == read_expected_findings(tmp_path)


@pytest.mark.slow
def test_clean_generation_over_a_defect_world_removes_the_ground_truth(tmp_path: Path) -> None:
    generate(tmp_path, customers=80, seed=5)
    generate(tmp_path, customers=80, seed=5, defects=False)
    assert read_expected_findings(tmp_path) is None
    assert audit(tmp_path) == set()
