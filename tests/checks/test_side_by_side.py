"""Read-only statements run side by side on cursors of one DuckDB database."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from checks.memory_headroom import memory_limit_bytes, with_memory_headroom
from checks.side_by_side import MOST_WORKERS, each_side_by_side, worker_count


def read_sum(cursor: duckdb.DuckDBPyConnection, upto: int) -> int:
    """The sum of the table's numbers up to `upto`."""
    return cursor.execute("SELECT sum(n) FROM numbers WHERE n <= ?", [upto]).fetchall()[0][0]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_results_come_in_the_items_order(tmp_path, workers):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(1, 1001)")
    items = [1000, 3, 10, 500, 1, 100, 2]
    assert each_side_by_side(con, read_sum, items, workers) == [n * (n + 1) // 2 for n in items]


def test_items_run_at_once():
    both_running = threading.Barrier(2, timeout=10)

    def meet(cursor: duckdb.DuckDBPyConnection, item: str) -> str:
        both_running.wait()  # broken after 10 s unless the other item runs at the same time
        return cursor.execute("SELECT ?", [item]).fetchall()[0][0]

    assert each_side_by_side(duckdb.connect(), meet, ["x", "y"], 2) == ["x", "y"]


def test_each_worker_has_a_cursor_of_its_own_closed_at_the_end():
    con = duckdb.connect()
    both_running = threading.Barrier(2, timeout=10)

    def cursor_of(cursor: duckdb.DuckDBPyConnection, item: str) -> duckdb.DuckDBPyConnection:
        both_running.wait()
        return cursor

    used = each_side_by_side(con, cursor_of, ["x", "y"], 2)
    assert used[0] is not used[1] and con not in used
    for cursor in used:
        with pytest.raises(duckdb.ConnectionException):
            cursor.execute("SELECT 1")
    assert con.execute("SELECT 1").fetchall() == [(1,)]


def test_every_worker_works_in_utc_whatever_its_connection_was_set_to():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/New_York'")

    def zone(cursor: duckdb.DuckDBPyConnection, item: str) -> str:
        return cursor.execute("SELECT current_setting('TimeZone')").fetchone()[0]

    assert each_side_by_side(con, zone, ["x", "y", "z"], 2) == ["UTC"] * 3


def test_one_worker_runs_every_item_on_the_connection_itself():
    con = duckdb.connect()
    assert each_side_by_side(con, lambda cursor, item: cursor, ["x", "y"], 1) == [con, con]


def test_an_error_is_raised_once_the_running_work_ended_and_the_waiting_items_never_start():
    ran: list[str] = []
    started = threading.Event()

    def work(cursor: duckdb.DuckDBPyConnection, item: str) -> None:
        if item == "fails":
            started.wait(10)  # the slow item is running by now
            raise duckdb.OutOfMemoryException("no memory left")
        started.set()
        time.sleep(0.3)
        ran.append(item)

    with pytest.raises(duckdb.OutOfMemoryException, match="no memory left"):
        each_side_by_side(duckdb.connect(), work, ["fails", "slow", *[f"later {n}" for n in range(20)]], 2)
    assert "slow" in ran  # ended before the error was raised
    assert len(ran) <= 2  # besides it, at most the item the failed worker took before the rest was cancelled


def test_as_many_workers_as_duckdb_threads_within_the_bound():
    con = duckdb.connect()
    con.execute("SET threads = 3")
    assert worker_count(con) == 3
    con.execute(f"SET threads = {MOST_WORKERS + 5}")
    assert worker_count(con) == MOST_WORKERS
    con.execute("SET threads = 1")
    assert worker_count(con) == 1


def test_a_worker_out_of_memory_runs_again_with_the_limit_raised_for_every_cursor():
    con = duckdb.connect()
    con.execute("SET temp_directory = ''")  # nothing can spill
    con.execute("SET memory_limit = '16MiB'")
    warnings: list[str] = []

    def strings_held(cursor: duckdb.DuckDBPyConnection, rows: int) -> int:
        """About 25 MB of strings held in one list for the largest item."""
        return cursor.execute(f"SELECT len(list(repeat('x', 40) || i)) FROM range({rows}) AS r(i)").fetchall()[0][0]

    items = [10, 500_000, 20]
    assert with_memory_headroom(con, lambda: each_side_by_side(con, strings_held, items, 2), warnings.append) == items
    assert warnings and memory_limit_bytes(con) == (16 << 20) * 2 ** len(warnings)
