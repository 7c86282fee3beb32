"""A database written with the older, bare-hex finding ids is migrated when the command line opens it to read."""

import datetime as dt

import duckdb
import polars as pl

from checks.history import current_findings, merge_night
from pipelines.database import open_database
from tests.checks.test_history import night

NIGHT = dt.date(2026, 11, 25)


def test_opening_an_old_database_to_read_migrates_its_ids(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        merge_night(con, night("a").with_columns(pl.lit("0123456789012345").alias("finding_id")), NIGHT, "r1")
    with open_database(path, read_only=True, wait_seconds=0) as con:
        assert current_findings(con, NIGHT)["finding_id"].to_list() == ["F-0123456789012345"]
