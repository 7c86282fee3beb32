"""The audit engine finds exactly the defects injected into generated worlds, rule by rule, on several seeds.

The worlds go straight into DuckDB through the extraction and typing code (no servers); the end-to-end nights
over HTTP and Dagster are in tests/pipelines/test_nights.py.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from assets.raw_store import connect
from checks.catalogue import RULES
from checks.engine import STAGING_VIEWS, AuditSettings, evaluate_all, findings_frame, run_audit
from checks.stopwatch import Stopwatch
from sandbox.generator import generate
from sandbox.world import read_expected_findings, read_manifest
from tests.world_sources import load_world

pytestmark = pytest.mark.slow  # worlds generated and audited whole

WORLDS = [(1, 250), (2, 700), (3, 1500)]
SEEDS = [pytest.param(seed, customers, id=f"seed{seed}-{customers}customers") for seed, customers in WORLDS]


def by_rule(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for rule_id, subject in pairs:
        grouped[rule_id].add(subject)
    return grouped


def audited_pairs(world, database) -> set[tuple[str, str]]:
    """The (rule_id, subject_id) pairs the engine finds in `world` loaded into `database`."""
    with connect(str(database)) as con:
        load_world(con, world)
        findings = evaluate_all(con, AuditSettings(as_of=read_manifest(world).as_of_date))
    return set(zip(findings["rule_id"], findings["subject_id"], strict=True))


@pytest.mark.parametrize(("seed", "customers"), SEEDS)
def test_precision_and_recall_are_one_for_every_rule(tmp_path, seed, customers):
    world = tmp_path / "world"
    generate(world, customers=customers, seed=seed)
    expected = by_rule(read_expected_findings(world))
    found = by_rule(audited_pairs(world, tmp_path / "db.duckdb"))
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
    assert audited_pairs(world, tmp_path / "db.duckdb") == set()


def test_a_timed_audit_times_every_step_and_finds_what_the_audit_side_by_side_finds(tmp_path):
    world = tmp_path / "world"
    generate(world, customers=250, seed=1)
    settings = AuditSettings(as_of=read_manifest(world).as_of_date)
    with connect(str(tmp_path / "db.duckdb")) as con:
        load_world(con, world)
        side_by_side = findings_frame(run_audit(con, settings))
        stopwatch = Stopwatch()
        timed = findings_frame(run_audit(con, settings, stopwatch))
    assert side_by_side.height and timed.equals(side_by_side)
    steps = [step.step for step in stopwatch.steps]
    assert sorted(steps) == sorted([f"staging.{view.name}" for view in STAGING_VIEWS] + [f"rule {r.id}" for r in RULES])
