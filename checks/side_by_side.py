"""The audit's statements that do not read each other's results, run side by side: each worker on a DuckDB cursor
of its own (DuckDB runs every cursor's queries on its one pool of threads), each statement once those it reads are
done."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from typing import TypeVar

import duckdb

Item = TypeVar("Item", bound=Hashable)
Result = TypeVar("Result")
Work = Callable[[duckdb.DuckDBPyConnection, Item], Result]

# The rules' and staging's statements are small at the sizes the audit meets (most read one row group and run on
# one thread); more workers than this would only hold more memory at once.
MOST_WORKERS = 4


def worker_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many statements run side by side on `con`'s database: its DuckDB threads, at most MOST_WORKERS."""
    ((threads,),) = con.execute("SELECT current_setting('threads')").fetchall()
    return max(1, min(int(threads), MOST_WORKERS))


def run_in_order(
    con: duckdb.DuckDBPyConnection,
    work: Work,
    after: Mapping[Item, Iterable[Item]],
    workers: int,
) -> dict[Item, Result]:
    """`work(cursor, item)` for every item of `after` (which maps each to the items it must follow), each once those
    it follows are done; their results by item.

    `workers` run at a time, each on a cursor of `con` of its own; with one, every item runs here on `con`. The first
    error is raised once the work already running has ended; what was not started then never starts.
    """
    sorter = TopologicalSorter(after)
    if workers <= 1:
        return {item: work(con, item) for item in sorter.static_order()}
    sorter.prepare()
    cursors = _Cursors(con)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="audit")
    results: dict[Item, Result] = {}
    try:
        running: set[Future] = set()
        while sorter.is_active():
            running |= {pool.submit(cursors.run, work, item) for item in sorter.get_ready()}
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                item, result = future.result()
                results[item] = result
                sorter.done(item)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        cursors.close()
    return results


class _Cursors:
    """One cursor of a connection per worker thread, opened by its first item and closed with the others."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._local = threading.local()
        self._opened: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def run(self, work: Work, item: Item) -> tuple[Item, Result]:
        """`item` and `work(cursor, item)` on this thread's cursor."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._lock:
                cursor = self._con.cursor()
                self._opened.append(cursor)
            self._local.cursor = cursor
        return item, work(cursor, item)

    def close(self) -> None:
        """Close every cursor opened."""
        for cursor in self._opened:
            cursor.close()
