"""Statements run side by side on cursors of one DuckDB database, each after those it reads."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from checks.side_by_side import MOST_WORKERS, run_in_order, worker_count

# Each table reads the tables it is listed after: built out of order, its CREATE fails on a missing table.
AFTER = {"a": (), "b": (), "c": ("a",), "d": ("a", "b"), "e": ("c", "d"), "f": ()}


def build_table(cursor: duckdb.DuckDBPyConnection, name: str) -> int:
    """Create table `name` from the tables it comes after (one row of its own when none); its row count."""
    sources = " UNION ALL ".join(f"SELECT * FROM {source}" for source in AFTER[name]) or "SELECT 1 AS n"
    cursor.execute(f"CREATE TABLE {name} AS SELECT n FROM ({sources}) UNION ALL SELECT 1")
    return cursor.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_each_statement_runs_after_those_it_reads(tmp_path, workers):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    rows = run_in_order(con, build_table, AFTER, workers)
    assert rows == {"a": 2, "b": 2, "f": 2, "c": 3, "d": 5, "e": 9}
    assert con.execute("SELECT count(*) FROM e").fetchall()[0][0] == 9


def test_statements_with_nothing_between_them_run_at_once():
    both_running = threading.Barrier(2, timeout=10)

    def meet(cursor: duckdb.DuckDBPyConnection, item: str) -> str:
        both_running.wait()  # broken after 10 s unless the other item runs at the same time
        return cursor.execute("SELECT ?", [item]).fetchall()[0][0]

    assert run_in_order(duckdb.connect(), meet, {"x": (), "y": ()}, 2) == {"x": "x", "y": "y"}


def test_each_worker_has_a_cursor_of_its_own_closed_at_the_end():
    con = duckdb.connect()
    used: dict[str, duckdb.DuckDBPyConnection] = {}
    both_running = threading.Barrier(2, timeout=10)

    def note(cursor: duckdb.DuckDBPyConnection, item: str) -> None:
        used[item] = cursor
        both_running.wait()

    run_in_order(con, note, {"x": (), "y": ()}, 2)
    assert used["x"] is not used["y"] and con not in used.values()
    for cursor in used.values():
        with pytest.raises(duckdb.ConnectionException):
            cursor.execute("SELECT 1")
    assert con.execute("SELECT 1").fetchall() == [(1,)]


def test_one_worker_runs_everything_on_the_connection_itself():
    con = duckdb.connect()
    used = run_in_order(con, lambda cursor, item: cursor, {"x": (), "y": ("x",)}, 1)
    assert used == {"x": con, "y": con}


def test_an_error_is_raised_once_the_running_work_ended_and_what_follows_it_never_starts():
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
        run_in_order(duckdb.connect(), work, {"fails": (), "slow": (), "after_fails": ("fails",)}, 2)
    assert ran == ["slow"]


def test_as_many_workers_as_duckdb_threads_within_the_bound():
    con = duckdb.connect()
    con.execute("SET threads = 3")
    assert worker_count(con) == 3
    con.execute(f"SET threads = {MOST_WORKERS + 5}")
    assert worker_count(con) == MOST_WORKERS
    con.execute("SET threads = 1")
    assert worker_count(con) == 1
