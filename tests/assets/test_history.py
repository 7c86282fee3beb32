"""The findings history across nights: new, open, resolved, reopened, acknowledgements, atomicity."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from assets.history import (
    FINDING_COLUMNS,
    HistoryError,
    acknowledge,
    current_findings,
    merge_night,
)

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
