"""Consecutive nights: each night is an exact world, defects move between nights, records change realistically."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from generator_reference_audit import audit

from connectors.schema import SOURCE_OBJECTS, SourceObject, parse_datetime
from sandbox.generator import generate, new_world, write_world
from sandbox.generator.defects import INJECTORS, fix_defect, inject_host, reopen_defect
from sandbox.generator.nights import generate_nights
from sandbox.world import read_expected_findings, read_manifest, read_records

FIRST = dt.date(2026, 2, 27)  # the nights cross a month end
NIGHTS = 3
Records = dict[str, dict[object, dict]]  # object -> key -> record
Findings = set[tuple[str, str]]


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three nights of a small world."""
    return generate_nights(tmp_path_factory.mktemp("nights"), nights=NIGHTS, customers=300, seed=5,
                           first_as_of=FIRST)


@pytest.fixture(scope="module")
def records(nights: list[Path]) -> list[Records]:
    """Every record of every night, by object and key."""
    return [{f"{o.system}/{o.name}": {r[o.key]: r for r in read_records(path, o)} for o in SOURCE_OBJECTS}
            for path in nights]


@pytest.fixture(scope="module")
def expected(nights: list[Path]) -> list[Findings]:
    """The ground truth of every night."""
    return [read_expected_findings(path) for path in nights]


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_nights_are_reproducible_and_independent_of_the_hash_seed(tmp_path: Path) -> None:
    script = ("import sys, datetime; from pathlib import Path; from sandbox.generator.nights import generate_nights; "
              "generate_nights(Path(sys.argv[1]), nights=3, customers=150, seed=8, "
              "first_as_of=datetime.date(2025, 12, 30))")
    for name, hash_seed in (("a", "1"), ("b", "2")):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": hash_seed})
    first = _digests(tmp_path / "a")
    assert first == _digests(tmp_path / "b")
    assert {name.split("/")[0] for name in first} == {"night-1", "night-2", "night-3"}


def test_each_night_is_a_world_one_day_later(nights: list[Path]) -> None:
    assert [p.name for p in nights] == [f"night-{n}" for n in range(1, NIGHTS + 1)]
    assert [read_manifest(p).as_of for p in nights] == [(FIRST + dt.timedelta(days=n)).isoformat()
                                                        for n in range(NIGHTS)]


def test_audit_finds_exactly_each_nights_ground_truth(nights: list[Path], expected: list[Findings]) -> None:
    for path, truth in zip(nights, expected, strict=True):
        found = audit(path)
        assert (path.name, sorted(found - truth), sorted(truth - found)) == (path.name, [], [])


def test_defects_persist_are_fixed_are_new_and_come_back(expected: list[Findings]) -> None:
    first, second, third = expected
    moves = {
        "persisted": first & second & third,
        "fixed": first - second,
        "new": second - first,
        "reopened": (first - second) & third,
        "stayed fixed": first - second - third,
        "new on night 3": third - second - first,
    }
    rules = set(INJECTORS)
    for move, pairs in moves.items():
        assert pairs, move
        if move != "stayed fixed":
            assert {rule for rule, _ in pairs} == rules, move


def _subject_records(night: Records, rule: str, subject: str) -> list[dict]:
    """The records that a finding's subject names."""
    where = {
        "order": [("customersdot/orders", "id")], "license": [("customersdot/licenses", "id")],
        "subscription": [("zuora/Subscription", "Name")], "account": [("zuora/Account", "AccountNumber")],
        "billing": [("customersdot/billing_accounts", "id")], "opportunity": [("salesforce/Opportunity", "Id")],
        "invoice": [("zuora/Invoice", "InvoiceNumber")], "item": [("zuora/InvoiceItem", "Id")],
        "namespace": [("zuora/Subscription", "GitLabNamespaceId__c"), ("customersdot/orders", "gl_namespace_id")],
    }
    kind = {"crm_account_link_broken": "account", "crm_account_mismatch": "billing",
            "closed_won_not_booked": "opportunity", "opportunity_invoice_missing": "opportunity",
            "invoice_amount_mismatch": "opportunity", "overdue_invoice_on_active_entitlement": "invoice",
            "invoice_sku_mismatch": "item", "duplicate_namespace_subscriptions": "namespace",
            "license_without_subscription": "license", "license_dates_invalid": "license"}.get(rule)
    if kind is None:
        kind = "subscription" if subject.startswith("A-S") else "order"
    return [r for key, field in where[kind] for r in night[key].values() if str(r.get(field)) == subject]


def test_fixed_subjects_are_still_there_and_new_ones_are_on_old_and_new_records(
        records: list[Records], expected: list[Findings]) -> None:
    for night in range(1, NIGHTS):
        fixed = expected[night - 1] - expected[night]
        assert [pair for pair in sorted(fixed) if not _subject_records(records[night], *pair)] == []
    new = sorted(expected[1] - expected[0])
    existed = {pair for pair in new if _subject_records(records[0], *pair)}
    assert {rule for rule, _ in existed} == set(INJECTORS)  # broken on records that were clean on night 1
    assert {rule for rule, _ in set(new) - existed} == set(INJECTORS)  # on records created on night 2


def _watermark(obj: SourceObject, record: dict) -> dt.datetime:
    return parse_datetime(record[obj.watermark])


def test_changed_and_new_records_carry_a_watermark_of_their_night(records: list[Records]) -> None:
    for night in range(1, NIGHTS):
        day = (FIRST + dt.timedelta(days=night)).isoformat()
        end_of_day = dt.datetime.combine(FIRST + dt.timedelta(days=night), dt.time(23, 59, 59), dt.UTC)
        before, after = records[night - 1], records[night]
        latest = max(_watermark(o, r) for o in SOURCE_OBJECTS for r in before[f"{o.system}/{o.name}"].values())
        touched = 0
        for obj in SOURCE_OBJECTS:
            name = f"{obj.system}/{obj.name}"
            for key, record in after[name].items():
                if before[name].get(key) == record:
                    continue
                touched += 1
                stamp = record[obj.watermark]
                assert stamp[:10] == day and latest < _watermark(obj, record) <= end_of_day, (name, key, stamp)
        assert touched > 100


def test_records_are_updated_inserted_and_deleted_in_every_system(records: list[Records]) -> None:
    moves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for night in range(1, NIGHTS):
        before, after = records[night - 1], records[night]
        for name in after:
            system = name.split("/")[0]
            old, new = before[name], after[name]
            moves[system]["inserted"] += len(new.keys() - old.keys())
            moves[system]["deleted"] += len(old.keys() - new.keys())
            moves[system]["updated"] += sum(1 for key in new.keys() & old.keys() if new[key] != old[key])
    assert {system: sorted(k for k, v in counts.items() if v) for system, counts in moves.items()} == {
        system: ["deleted", "inserted", "updated"] for system in ("zuora", "salesforce", "customersdot")}


def test_night_one_is_the_generated_world_and_its_records_stay(tmp_path: Path, records: list[Records],
                                                               expected: list[Findings]) -> None:
    generate(tmp_path, customers=300, seed=5, as_of=FIRST)
    base = {f"{o.system}/{o.name}": {r[o.key]: r for r in read_records(tmp_path, o)} for o in SOURCE_OBJECTS}
    first = records[0]
    assert {name: [k for k, r in rows.items() if first[name].get(k) != r] for name, rows in base.items()} == {
        name: [] for name in base}
    assert read_expected_findings(tmp_path) == expected[0]  # plus clean latent hosts, broken from night 2
    for before, after in zip(records, records[1:], strict=False):  # a generated record is deleted only if it is…
        gone = {name: [before[name][key] for key in rows.keys() & before[name].keys() - after[name].keys()]
                for name, rows in base.items()}
        assert {name for name, rows in gone.items() if rows} <= {
            "zuora/Invoice", "zuora/InvoiceItem", "salesforce/Opportunity", "customersdot/orders",
            "customersdot/licenses"}
        assert all(r["Status"] == "Canceled" for r in gone["zuora/Invoice"])  # … a cancelled invoice
        assert all(r["IsDeleted"] for r in gone["salesforce/Opportunity"])  # … purged from the recycle bin
        assert all(r["trial"] or r["product_rate_plan_id"].endswith("trial-plan-id")  # … an ended trial
                   for r in gone["customersdot/orders"])
        assert all(r["trial"] for r in gone["customersdot/licenses"])


@pytest.mark.parametrize("rule_id", sorted(INJECTORS))
def test_fix_cleans_each_variant_and_reopen_brings_it_back(tmp_path: Path, rule_id: str) -> None:
    world = new_world(dt.date(2026, 3, 31), seed=len(rule_id))
    hosts = [inject_host(world, rule_id, instance) for instance in range(6)]
    changes = [fix_defect(world, host) for host in hosts]
    write_world(world, tmp_path, seed=0, generator="test", expected=None)
    assert audit(tmp_path) == set()
    for host, change in zip(hosts, changes, strict=True):
        reopen_defect(world, host, change)
    write_world(world, tmp_path, seed=0, generator="test", expected=None)
    assert audit(tmp_path) == {(rule_id, host.subject) for host in hosts}
    for host in hosts:
        fix_defect(world, host)
    write_world(world, tmp_path, seed=0, generator="test", expected=None)
    assert audit(tmp_path) == set()
