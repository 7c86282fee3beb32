"""Read-only statements run side by side: each worker on a DuckDB cursor of its own (DuckDB runs every cursor's
queries on its one pool of threads, and most of the audit's queries use one of them at the sizes it meets)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import duckdb

from checks.sessions import session_cursor

Item = TypeVar("Item")
Result = TypeVar("Result")

# More workers than this would only hold more memory at once.
MOST_WORKERS = 4


def worker_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many statements run side by side on `con`'s database: its DuckDB threads, at most MOST_WORKERS."""
    ((threads,),) = con.execute("SELECT current_setting('threads')").fetchall()
    return max(1, min(int(threads), MOST_WORKERS))


def each_side_by_side(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[duckdb.DuckDBPyConnection, Item], Result],
    items: list[Item],
    workers: int,
) -> list[Result]:
    """`work(cursor, item)` for each of `items`, their results in the items' order.

    `workers` run at a time, each on a cursor of `con` of its own; with one worker, or at most one item, every item
    runs here on `con`. The first error is raised once the work already running has ended; the items still waiting
    then never start.
    """
    if workers <= 1 or len(items) <= 1:
        return [work(con, item) for item in items]
    cursors = _Cursors(con)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="audit")
    try:
        return list(pool.map(lambda item: work(cursors.mine(), item), items))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        cursors.close()


class _Cursors:
    """One cursor of a connection per worker thread, opened by its first item and closed with the others."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._local = threading.local()
        self._opened: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def mine(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor, opened on its first call."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._lock:
                cursor = session_cursor(self._con)
                self._opened.append(cursor)
            self._local.cursor = cursor
        return cursor

    def close(self) -> None:
        """Close every cursor opened."""
        for cursor in self._opened:
            cursor.close()
