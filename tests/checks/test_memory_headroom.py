"""Work that outgrows DuckDB's memory limit runs again with the limit doubled, a bounded number of times."""

import duckdb
import pytest

from checks.memory_headroom import memory_limit_bytes, with_memory_headroom

MIB = 1 << 20
# About 30 MB of rows, held in memory: an in-memory database without a temporary directory cannot spill them.
BUILD = "CREATE OR REPLACE TABLE t AS SELECT i, repeat('x', 40) || i AS s FROM range(500000) AS r(i)"


@pytest.fixture
def con():
    """An in-memory database that cannot spill, held to 16 MiB."""
    with duckdb.connect() as con:
        con.execute("SET temp_directory = ''")
        con.execute("SET memory_limit = '16MiB'")
        yield con


def test_the_limit_is_read_back_in_bytes(con):
    assert memory_limit_bytes(con) == 16 * MIB
    con.execute("SET memory_limit = '1GB'")
    assert abs(memory_limit_bytes(con) - 10**9) < MIB


def test_work_that_runs_out_of_memory_runs_again_with_the_limit_doubled(con):
    warnings = []
    rows = with_memory_headroom(con, lambda: con.execute(BUILD).fetchall(), warnings.append)
    assert rows == [(500000,)]
    assert len(warnings) in (1, 2, 3)
    assert memory_limit_bytes(con) == 16 * MIB * 2 ** len(warnings)
    assert "LNR_DUCKDB_MEMORY_LIMIT" in warnings[0]


def test_work_that_fits_runs_once_at_the_limit(con):
    warnings = []
    assert with_memory_headroom(con, lambda: con.execute("SELECT 42").fetchall(), warnings.append) == [(42,)]
    assert warnings == []
    assert memory_limit_bytes(con) == 16 * MIB


def test_work_that_outgrows_every_doubling_fails_with_the_out_of_memory_error(con):
    warnings = []
    with pytest.raises(duckdb.OutOfMemoryException):
        with_memory_headroom(con, lambda: con.execute(BUILD).fetchall(), warnings.append, doublings=0)
    assert warnings == []
    assert memory_limit_bytes(con) == 16 * MIB
