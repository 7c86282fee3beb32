"""The rule files' headers: parsed into the catalogue, settings and scorecard, with clear errors when malformed."""

from __future__ import annotations

import dataclasses

import pytest

from checks.catalogue import RULES, RULES_DIR, CatalogueError, read_catalogue, rule
from checks.engine import AuditSettings

HEADER = """-- rule: {id}
-- order: 1
-- category: hygiene
-- severity: low
-- subject: order id
-- examines: trial orders
-- finding: a trial that runs long,
--    really long
-- summary: order {{order_id}} runs long
-- action: check it
-- setting trial_max_days: 30
"""


def write_rule(folder, rule_id="long_trial", extra=""):
    (folder / f"{rule_id}.sql").write_text(HEADER.format(id=rule_id) + extra + "SELECT 1\n", encoding="utf-8")


def test_a_header_becomes_a_catalogue_entry(tmp_path):
    write_rule(tmp_path)
    (entry,) = read_catalogue(tmp_path)
    assert (entry.id, entry.category, entry.severity, entry.subject) == ("long_trial", "hygiene", "low", "order id")
    assert entry.description == "a trial that runs long, really long"
    assert entry.summary_template == "order {order_id} runs long" and dict(entry.settings) == {"trial_max_days": 30}
    assert entry.scorecard_label is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("-- colour: blue\n", "unknown header keys"),
        ("-- scorecard: Paid Trial Too Long\n", "needs a scorecard rank"),
        ("-- action: twice\n", "given twice"),
    ],
)
def test_a_malformed_header_is_refused_with_its_file_named(tmp_path, extra, message):
    write_rule(tmp_path, extra=extra)
    with pytest.raises(CatalogueError, match=f"long_trial.sql: .*{message}"):
        read_catalogue(tmp_path)


def test_a_header_naming_another_rule_is_refused(tmp_path):
    write_rule(tmp_path)
    (tmp_path / "long_trial.sql").rename(tmp_path / "other.sql")
    with pytest.raises(CatalogueError, match="other.sql: names rule long_trial"):
        read_catalogue(tmp_path)


def test_settings_come_from_the_rule_files():
    fields = {f.name for f in dataclasses.fields(AuditSettings)} - {"as_of"}
    declared = {name for entry in RULES for name in entry.settings} | {"excluded_zuora_accounts"}
    assert fields == declared
    assert AuditSettings.__dataclass_params__.frozen
    assert rule("trial_too_long").settings["trial_max_days"] == 30


def test_every_rule_file_is_in_the_catalogue_once():
    assert sorted(entry.id for entry in RULES) == sorted(path.stem for path in RULES_DIR.glob("*.sql"))
    labelled = [entry for entry in RULES if entry.scorecard_label]
    assert labelled and all(entry.scorecard_rank for entry in labelled)
