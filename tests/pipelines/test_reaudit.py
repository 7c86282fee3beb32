"""`lnr-audit audit`: staging and rules re-run on raw tables already loaded, without touching the history."""

from __future__ import annotations

import re
import shutil

import pytest

from assets.raw_store import connect
from checks.catalogue import RULES
from checks.engine import AuditSettings, evaluate_all
from checks.history import latest_night
from checks.memory_headroom import memory_limit_bytes
from pipelines.cli import main
from pipelines.reaudit import reaudit
from sandbox.generator import generate
from sandbox.world import read_manifest
from tests.world_load import load_world

pytestmark = pytest.mark.slow  # a generated world loaded and audited


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A small generated world loaded into a database file, and its audit date."""
    base = tmp_path_factory.mktemp("reaudit")
    generate(base / "world", customers=40, seed=5)
    database = base / "lnr.duckdb"
    with connect(str(database)) as con:
        load_world(con, base / "world")
    return database, read_manifest(base / "world").as_of_date


def rule_lines(output: str) -> dict[str, list[str]]:
    """The printed rows of the per-rule table, by rule id."""
    ids = {rule.id for rule in RULES}
    return {line.split()[0]: line.split() for line in output.splitlines() if line.split() and line.split()[0] in ids}


def test_audit_prints_each_rules_findings_and_leaves_the_history_alone(loaded, capsys):
    database, as_of = loaded
    assert main(["audit", "--db", str(database), "--as-of", as_of.isoformat()]) == 0
    out = capsys.readouterr().out
    rows = rule_lines(out)
    assert all(len(row) == 3 for row in rows.values()) and "slowest steps" not in out  # no step timed
    assert re.search(r"total .* in \d+\.\d\d s \(\d+\.\d\d s CPU\)", out)
    with connect(str(database)) as con:
        expected = evaluate_all(con, AuditSettings(as_of=as_of))["rule_id"].value_counts()
        assert latest_night(con) is None
    counts = dict(expected.iter_rows())
    assert set(rows) == {rule.id for rule in RULES}
    assert {rule_id: int(row[2]) for rule_id, row in rows.items()} == {r.id: counts.get(r.id, 0) for r in RULES}
    assert sum(counts.values()) > 0


def test_profile_times_every_staging_table_and_rule(loaded, capsys):
    database, as_of = loaded
    assert main(["audit", "--db", str(database), "--as-of", as_of.isoformat(), "--profile"]) == 0
    out = capsys.readouterr().out
    assert all(len(row) == 5 and float(row[3]) >= 0 for row in rule_lines(out).values())
    assert "staging.latest_subscriptions" in out and "slowest steps" in out


def test_audit_refuses_a_database_without_loaded_raw_tables(tmp_path, capsys):
    assert main(["audit", "--db", str(tmp_path / "empty.duckdb")]) == 2
    assert "no raw table has been loaded" in capsys.readouterr().err



def test_audit_says_when_the_raw_tables_hold_different_nights(loaded, tmp_path, capsys):
    database, as_of = loaded
    assert main(["audit", "--db", str(database), "--as-of", as_of.isoformat()]) == 0
    assert "different nights" not in capsys.readouterr().out
    mixed = tmp_path / "mixed.duckdb"
    shutil.copyfile(database, mixed)
    with connect(str(mixed)) as con:
        con.execute("INSERT INTO meta.raw_nights VALUES ('zuora/Account', ?, 'an earlier run', now())", [as_of])
    assert main(["audit", "--db", str(mixed), "--as-of", as_of.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "note: the raw tables hold different nights" in out and f"{as_of}: zuora/Account" in out


def test_an_audit_out_of_memory_runs_again_with_a_larger_limit_and_says_so(loaded, capsys):
    database, as_of = loaded
    with connect(str(database)) as con:
        expected = reaudit(con, AuditSettings(as_of=as_of))
    capsys.readouterr()
    with connect(str(database), memory_limit="32MB") as con:
        con.execute("SET temp_directory = ''")  # nothing may spill: the limit is hit
        result = reaudit(con, AuditSettings(as_of=as_of))
        raised = memory_limit_bytes(con)
    assert "running again with a memory limit" in capsys.readouterr().err
    assert raised > 32_000_000
    assert [(run.rule.id, run.processed, run.failed) for run in result.runs] == [
        (run.rule.id, run.processed, run.failed) for run in expected.runs
    ]
