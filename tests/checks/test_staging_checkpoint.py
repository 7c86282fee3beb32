"""Staging is built in one transaction: a checkpoint can move a raw table's row ids (merging row groups that lost many
rows), and `staging.latest_subscriptions` reads the versions by the row ids `staging.latest_versions` recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pytest

from assets.raw_store import create_raw_tables
from checks.engine import AuditSettings, build_staging
from checks.stopwatch import Stopwatch

# Three row groups of DuckDB's, so that a checkpoint after most rows were deleted merges them.
VERSIONS = 300_000


class CheckpointAfter(Stopwatch):
    """A stopwatch that asks another session for a checkpoint as soon as one staging statement has run, as an
    automatic checkpoint would when that statement's commit filled the write-ahead log."""

    def __init__(self, con: duckdb.DuckDBPyConnection, statement: str) -> None:
        super().__init__()
        self.other = con.cursor()
        self.statement = statement
        self.refused: list[str] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block, then checkpoint if it was the statement."""
        with super().step(name):
            yield
        if name == self.statement:
            try:
                self.other.execute("CHECKPOINT")
            except duckdb.TransactionException as refused:
                self.refused.append(str(refused))


def test_a_checkpoint_in_the_middle_of_staging_cannot_move_the_rows_it_picks(tmp_path):
    con = duckdb.connect(str(tmp_path / "lnr_audit.duckdb"))
    create_raw_tables(con)
    con.execute(
        """INSERT INTO raw_zuora.subscription ("Id", "Name", "Version", "Status", "TermType", "TermStartDate",
        "TermEndDate") SELECT 'id-' || i, 'A-S' || (i // 2), i % 2 + 1, 'Active', 'TERMED', DATE '2026-01-01',
        DATE '2027-01-01' FROM range(?) AS versions(i)""",
        [VERSIONS],
    )
    con.execute("CHECKPOINT")
    con.execute("""DELETE FROM raw_zuora.subscription WHERE hash("Name") % 10 < 6""")  # a load that dropped most
    kept = con.execute("""SELECT count(DISTINCT "Name") FROM raw_zuora.subscription""").fetchone()[0]
    stopwatch = CheckpointAfter(con, "staging.latest_versions")

    build_staging(con, AuditSettings(as_of=dt.date(2026, 6, 1)), stopwatch)

    assert stopwatch.refused, "the checkpoint waits for the staging build to end"
    picked = con.execute(
        "SELECT count(*), count(DISTINCT subscription_name), min(version), max(version) "
        "FROM staging.latest_subscriptions"
    ).fetchone()
    assert picked == (kept, kept, 2, 2), "each name once, at its latest version"


def test_a_staging_build_that_fails_leaves_the_staging_and_its_fingerprints_as_they_were(tmp_path):
    con = duckdb.connect(str(tmp_path / "lnr_audit.duckdb"))
    create_raw_tables(con)
    con.execute("INSERT INTO raw_customersdot.cloud_activations (id, subscription_name) VALUES (1, 'S1'), (2, 'S2')")
    settings = AuditSettings(as_of=dt.date(2026, 6, 1))
    build_staging(con, settings)
    before = con.execute("SELECT * FROM audit.staging_inputs ORDER BY ALL").fetchall()
    con.execute("DELETE FROM raw_customersdot.cloud_activations WHERE id = 2")
    con.execute("ALTER TABLE raw_zuora.subscription RENAME TO subscription_gone")  # a later statement fails

    with pytest.raises(duckdb.CatalogException, match="subscription"):
        build_staging(con, settings)

    assert con.execute("SELECT count(*) FROM staging.cloud_activations").fetchone() == (2,), "built before the failure"
    assert con.execute("SELECT * FROM audit.staging_inputs ORDER BY ALL").fetchall() == before
