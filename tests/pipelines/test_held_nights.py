"""A night whose source returns an emptied object: its snapshot is kept and the findings that read it are held."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from checks.lineage import rules_reading
from connectors.schema import source_object
from sandbox.generator.nights import generate_nights
from sandbox.world import read_expected_findings, write_records
from tests.pipelines.sandbox_nights import audit_nights, findings_of_night, live_pairs

ACTIVATIONS = source_object("customersdot", "cloud_activations")


@pytest.mark.slow
def test_an_emptied_object_holds_back_the_findings_that_read_it(tmp_path):
    first, second, third = generate_nights(tmp_path / "worlds", nights=3, customers=120, seed=4)
    emptied = tmp_path / "worlds" / "night-2-emptied"
    shutil.copytree(second, emptied)
    write_records(emptied, ACTIVATIONS, [])
    nights = audit_nights([first, emptied, third], tmp_path / "out")
    held_rules = set(rules_reading([ACTIVATIONS.table]))
    assert held_rules == {"cloud_licensing_mismatch", "sm_subscription_without_license"}
    assert set(nights[1].findings["rules_held_back"].split(", ")) == held_rules
    assert nights[1].objects["raw_customersdot/cloud_activations"]["held"].startswith("the source returned 0 rows")

    before, during = findings_of_night(tmp_path / "out", first), findings_of_night(tmp_path / "out", emptied)
    of_held = pl.col("rule_id").is_in(sorted(held_rules))
    held_before = before.filter(of_held & (pl.col("status") != "resolved"))
    assert held_before.height, "the first night has findings of the rules reading cloud activations"
    assert set(during.filter(of_held)["status"]) == {"held"}
    assert set(during.filter(of_held)["finding_id"]) == set(held_before["finding_id"])
    others = {pair for pair in read_expected_findings(second) if pair[0] not in held_rules}
    assert {pair for pair in live_pairs(during) if pair[0] not in held_rules} == others
    report = (tmp_path / "out" / "reports" / str(nights[1].as_of) / "findings_new.csv").read_text(encoding="utf-8")
    assert not any(rule in report for rule in held_rules)

    after = findings_of_night(tmp_path / "out", third)
    assert live_pairs(after) == read_expected_findings(third)
    assert "held" not in set(after["status"])
