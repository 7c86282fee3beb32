"""Each injector, alone in a world, yields exactly its rule's finding for every variant; each trap, none."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from generator_reference_audit import audit

from sandbox.generator import instances_per_rule, new_world, write_world
from sandbox.generator.defects import INJECTORS
from sandbox.generator.traps import TRAPS

VARIANTS = 6  # every injector cycles through at most 4 variants, over deployments of period 2 and 3


@pytest.mark.parametrize("rule_id", sorted(INJECTORS))
def test_injector_alone_yields_exactly_its_findings(tmp_path: Path, rule_id: str) -> None:
    world = new_world(dt.date(2026, 3, 31), seed=len(rule_id))
    expected = [(rule_id, INJECTORS[rule_id](world, instance)) for instance in range(VARIANTS)]
    write_world(world, tmp_path, seed=0, generator="test", expected=expected)
    assert len(set(expected)) == VARIANTS
    found = audit(tmp_path)
    assert any(rule == rule_id for rule, _ in found), (
        f"the reference audit (tests/sandbox/generator/generator_reference_audit.py) finds no {rule_id}: "
        "write its reading of the rule there"
    )
    assert found == set(expected)


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_trap_alone_yields_no_finding(tmp_path: Path, name: str) -> None:
    world = new_world(dt.date(2026, 3, 31), seed=len(name))
    for instance in range(4):
        TRAPS[name](world, instance)
    write_world(world, tmp_path, seed=0, generator="test", expected=None)
    assert audit(tmp_path) == set()


def test_each_injector_lives_in_a_module_named_after_its_rule() -> None:
    for rule_id, inject in INJECTORS.items():
        assert importlib.import_module(inject.__module__).__name__.rsplit(".", 1)[-1] == rule_id


def test_injectors_are_found_in_alphabetical_order_of_their_rules() -> None:
    assert list(INJECTORS) == sorted(INJECTORS)


def test_defects_per_rule_grow_slowly_with_size() -> None:
    assert [instances_per_rule(n) for n in (10, 60, 300, 3000, 30000, 10**7)] == [2, 2, 3, 4, 5, 6]
