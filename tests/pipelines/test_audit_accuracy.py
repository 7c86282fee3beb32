"""The whole pipeline finds exactly the defects injected into its own worlds, rule by rule."""

from __future__ import annotations

from collections import defaultdict

import pytest

from checks.catalogue import RULES
from sandbox.generator import generate
from sandbox.world import read_expected_findings
from tests.pipelines.sandbox_nights import audit_nights, findings_of_night, live_pairs

WORLDS = [(1, 250), (2, 700), (3, 1500)]


def by_rule(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for rule_id, subject in pairs:
        grouped[rule_id].add(subject)
    return grouped


@pytest.mark.parametrize(("seed", "customers"), WORLDS, ids=[f"seed{s}-{c}customers" for s, c in WORLDS])
def test_precision_and_recall_are_one_for_every_rule(tmp_path, seed, customers):
    world = tmp_path / "world"
    generate(world, customers=customers, seed=seed)
    audit_nights([world], tmp_path / "out")
    expected = by_rule(read_expected_findings(world))
    found = by_rule(live_pairs(findings_of_night(tmp_path / "out", world)))
    problems = []
    for rule in RULES:
        missed = expected[rule.id] - found[rule.id]
        extra = found[rule.id] - expected[rule.id]
        if missed or extra:
            problems.append(f"{rule.id}: missed {sorted(missed)}, over-reported {sorted(extra)}")
    assert not problems, "\n".join(problems)
    assert {rule.id for rule in RULES} <= set(expected), "every rule has injected defects"


def test_a_clean_world_yields_no_finding(tmp_path):
    world = tmp_path / "clean"
    generate(world, customers=600, seed=4, defects=False)
    [night] = audit_nights([world], tmp_path / "out")
    assert night.findings["findings"] == 0
    assert live_pairs(findings_of_night(tmp_path / "out", world)) == set()
