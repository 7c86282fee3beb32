"""The findings history across nights: statuses, acknowledgements, atomicity, and the night status per rule."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from checks.catalogue import RULES
from checks.findings import FINDING_COLUMNS, KNOWN_COLUMNS, REPORT_COLUMNS, REPORT_ONLY_COLUMNS, STORED_COLUMNS
from checks.history import (
    NIGHT_COUNTS,
    HistoryError,
    acknowledge,
    current_findings,
    merge_night,
    needs_id_migration,
    night_status,
)
from checks.rule_checks import rule_check_results

NIGHT1, NIGHT2, NIGHT3 = dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)


def night(*subjects: str) -> pl.DataFrame:
    """Findings of rule `seat_count_mismatch` on the given subjects."""
    rows = [
        {c: None for c in FINDING_COLUMNS}
        | {
            "finding_id": f"f-{s}",
            "rule_id": "seat_count_mismatch",
            "subject_id": s,
            "severity": "high",
            "summary": f"order {s} differs",
            "evidence": "{}",
        }
        for s in subjects
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in FINDING_COLUMNS})


def statuses(con, as_of):
    frame = current_findings(con, as_of)
    return dict(zip(frame["subject_id"], frame["status"], strict=True))


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "h.duckdb"))
    yield connection
    connection.close()


def test_statuses_follow_findings_from_night_to_night(con):
    assert merge_night(con, night("a", "b"), NIGHT1, "r1") == {"new": 2, "open": 0, "reopened": 0, "resolved": 0}
    assert merge_night(con, night("b", "c"), NIGHT2, "r2") == {"new": 1, "open": 1, "reopened": 0, "resolved": 1}
    assert statuses(con, NIGHT2) == {"a": "resolved", "b": "open", "c": "new"}
    merge_night(con, night("a"), NIGHT3, "r3")
    assert statuses(con, NIGHT3) == {"a": "reopened", "b": "resolved", "c": "resolved"}
    assert statuses(con, NIGHT1) == {"a": "new", "b": "new"}


def test_first_and_last_seen_are_kept(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    merge_night(con, night("a"), NIGHT2, "r2")
    row = current_findings(con, NIGHT2).row(0, named=True)
    assert (row["first_seen"], row["last_seen"]) == (NIGHT1, NIGHT2)


def test_rerunning_a_night_replaces_it(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    merge_night(con, night("a", "b"), NIGHT2, "r2")
    merge_night(con, night("a"), NIGHT2, "r2-again")
    assert statuses(con, NIGHT2) == {"a": "open"}
    assert con.execute("SELECT count(*) FROM audit.finding_events WHERE as_of = ?", [NIGHT2]).fetchone()[0] == 1


def test_an_earlier_night_is_refused(con):
    merge_night(con, night("a"), NIGHT2, "r2")
    with pytest.raises(HistoryError, match="before the last audited night"):
        merge_night(con, night("a"), NIGHT1, "r1")


def test_a_failed_merge_leaves_the_history_as_it_was(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    before = con.execute("SELECT * FROM audit.finding_events ORDER BY ALL").fetchall()
    broken = night("b").with_columns(pl.lit("not json {").alias("evidence"))
    with pytest.raises(duckdb.Error):
        merge_night(con, broken, NIGHT2, "r2")
    assert con.execute("SELECT * FROM audit.finding_events ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT count(*) FROM audit.findings").fetchone()[0] == 1


def test_acknowledgement_is_shown_until_it_expires(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    acknowledge(con, "f-a", "customer on NFR license", NIGHT2)
    first = current_findings(con, NIGHT1).row(0, named=True)
    assert first["acknowledged"] and first["ack_reason"] == "customer on NFR license"
    merge_night(con, night("a"), NIGHT2, "r2")
    assert not current_findings(con, NIGHT2).row(0, named=True)["acknowledged"]
    with pytest.raises(HistoryError, match="no finding"):
        acknowledge(con, "f-unknown", "x", NIGHT3)


def test_night_status_counts_each_rule_once_with_unambiguous_names(con):
    merge_night(con, night("a", "b", "c"), NIGHT1, "r1")
    merge_night(con, night("b", "c", "d"), NIGHT2, "r2")
    acknowledge(con, "f-c", "known", NIGHT3)
    merge_night(con, night("a", "c", "d"), NIGHT3, "r3")
    status = night_status(current_findings(con, NIGHT3), NIGHT3)
    assert status["rule_id"].to_list() == [rule.id for rule in RULES]
    counts = status.filter(pl.col("rule_id") == "seat_count_mismatch").row(0, named=True)
    # a reopened, b resolved tonight, c and d carried over (c acknowledged until tonight: expired)
    assert {name: counts[name] for name in NIGHT_COUNTS} == {
        "unresolved": 3, "new": 0, "open": 2, "reopened": 1, "held": 0, "resolved": 1, "acknowledged": 0,
    }
    earlier = night_status(current_findings(con, NIGHT2), NIGHT2).filter(pl.col("rule_id") == "seat_count_mismatch")
    assert earlier.select(NIGHT_COUNTS).row(0) == (3, 1, 2, 0, 0, 1, 1)
    others = status.filter(pl.col("rule_id") != "seat_count_mismatch").select(NIGHT_COUNTS)
    assert others.sum().row(0) == (0,) * len(NIGHT_COUNTS)


def test_a_rule_check_passes_only_when_every_unresolved_finding_is_acknowledged(con):
    merge_night(con, night("a", "b"), NIGHT1, "r1")
    acknowledge(con, "f-a", "known", NIGHT3)
    results = {r.check_name: r for r in rule_check_results(current_findings(con, NIGHT1), NIGHT1)}
    assert len(results) == len(RULES) and not results["seat_count_mismatch"].passed
    assert results["seat_count_mismatch"].metadata["unresolved"].value == 2
    assert results["seat_count_mismatch"].metadata["acknowledged"].value == 1
    acknowledge(con, "f-b", "known too", NIGHT3)
    results = {r.check_name: r for r in rule_check_results(current_findings(con, NIGHT1), NIGHT1)}
    assert results["seat_count_mismatch"].passed and results["trial_too_long"].passed


def test_the_history_tables_have_the_columns_of_the_finding_model(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    stored = [row[0] for row in con.execute("DESCRIBE audit.findings").fetchall()]
    assert tuple(stored) == STORED_COLUMNS
    assert tuple(current_findings(con, NIGHT1).columns) == KNOWN_COLUMNS
    assert set(REPORT_COLUMNS) - set(REPORT_ONLY_COLUMNS) <= set(KNOWN_COLUMNS)


def test_rerunning_a_night_derives_the_nights_seen_from_the_events_and_drops_the_discarded_findings(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    merge_night(con, night("a", "c"), NIGHT2, "r2")
    merge_night(con, night(), NIGHT2, "r2-again")
    known = current_findings(con, NIGHT2)
    assert known["subject_id"].to_list() == ["a"]
    row = known.row(0, named=True)
    seen = (row["status"], row["first_seen"], row["last_seen"], row["resolved_on"])
    assert seen == ("resolved", NIGHT1, NIGHT1, NIGHT2)
    stored = con.execute("SELECT finding_id, first_seen, last_seen FROM audit.findings").fetchall()
    assert stored == [("f-a", NIGHT1, NIGHT1)]


def test_an_earlier_night_shows_the_nights_seen_up_to_then(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    merge_night(con, night("a"), NIGHT2, "r2")
    assert current_findings(con, NIGHT1).row(0, named=True)["last_seen"] == NIGHT1
    assert current_findings(con, NIGHT2).row(0, named=True)["last_seen"] == NIGHT2


def test_a_key_column_declared_after_the_history_was_created_is_added_to_it(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    con.execute("ALTER TABLE audit.findings DROP COLUMN namespace_id")
    merge_night(con, night("a", "b").with_columns(pl.lit("ns-1").alias("namespace_id")), NIGHT2, "r2")
    known = current_findings(con, NIGHT2)
    assert dict(zip(known["subject_id"], known["namespace_id"], strict=True)) == {"a": "ns-1", "b": "ns-1"}


def test_rerunning_a_night_brings_back_the_details_its_discarded_run_overwrote(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    merge_night(con, night("a").with_columns(pl.lit("changed").alias("summary")), NIGHT2, "r2")
    merge_night(con, night(), NIGHT2, "r2-again")
    row = current_findings(con, NIGHT2).row(0, named=True)
    assert (row["status"], row["summary"], row["last_seen"]) == ("resolved", "order a differs", NIGHT1)
    merge_night(con, night("a").with_columns(pl.lit("again").alias("summary")), NIGHT3, "r3")
    assert current_findings(con, NIGHT3).row(0, named=True)["summary"] == "again"


def test_findings_of_held_rules_are_neither_new_nor_resolved(con):
    merge_night(con, night("a", "b"), NIGHT1, "r1")
    counts = merge_night(con, night("a", "c"), NIGHT2, "r2", held_rules=("seat_count_mismatch",))
    assert counts == {"new": 0, "open": 0, "reopened": 0, "resolved": 0}
    assert statuses(con, NIGHT2) == {"a": "held", "b": "held"}
    assert merge_night(con, night("a", "c"), NIGHT3, "r3") == {"new": 1, "open": 1, "reopened": 0, "resolved": 1}
    assert statuses(con, NIGHT3) == {"a": "open", "b": "resolved", "c": "new"}


def test_a_hold_on_other_rules_leaves_the_findings_as_they_are(con):
    merge_night(con, night("a"), NIGHT1, "r1")
    merge_night(con, night("b"), NIGHT2, "r2", held_rules=("cloud_licensing_mismatch",))
    assert statuses(con, NIGHT2) == {"a": "resolved", "b": "new"}


def test_a_history_with_bare_hex_ids_is_migrated_to_text_ids_when_opened(tmp_path):
    path = str(tmp_path / "old.duckdb")
    old, other = "7412062744798923", "123e450000abcdef"
    with duckdb.connect(path) as con:
        frame = night("a", "b").with_columns(pl.Series("finding_id", [old, other]))
        merge_night(con, frame, NIGHT1, "r1")
        con.execute("INSERT INTO audit.acknowledgements VALUES (?, 'known', ?, NULL, now())", [old, NIGHT3])
    with duckdb.connect(path, read_only=True) as con:
        assert needs_id_migration(con)
    with duckdb.connect(path) as con:
        assert merge_night(con, night("b").with_columns(pl.lit(f"F-{other}").alias("finding_id")), NIGHT2, "r2") == {
            "new": 0, "open": 1, "reopened": 0, "resolved": 1,
        }
        known = current_findings(con, NIGHT2)
        statuses_by_id = dict(zip(known["finding_id"], known["status"], strict=True))
        assert statuses_by_id == {f"F-{old}": "resolved", f"F-{other}": "open"}
        assert con.execute("SELECT finding_id FROM audit.acknowledgements").fetchall() == [(f"F-{old}",)]
        events = con.execute("SELECT finding_id, as_of FROM audit.finding_events ORDER BY as_of, finding_id").fetchall()
        assert events == [(f"F-{other}", NIGHT1), (f"F-{old}", NIGHT1), (f"F-{other}", NIGHT2), (f"F-{old}", NIGHT2)]
        assert not needs_id_migration(con)
