"""Work that DuckDB could not fit in its memory limit, run again with the limit doubled (up to a bound).

The limit keeps DuckDB's cache of blocks from growing with the data; a few operators cannot spill (a grouped
`list(... ORDER BY ...)`, say) and need memory in proportion to the data. Where a tenant outgrows the limit, the
night goes on with a larger one and says so, instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import duckdb

T = TypeVar("T")
MEMORY_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
HEADROOM_DOUBLINGS = 3  # at most 8 times the configured limit (2GB above the default 256MB)


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's memory limit on `con`, in bytes."""
    number, unit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0].split()
    return round(float(number) * MEMORY_UNITS[unit])


def with_memory_headroom(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[], T],
    warn: Callable[[str], None],
    doublings: int = HEADROOM_DOUBLINGS,
) -> T:
    """`work()`, run again each time DuckDB runs out of memory with `con`'s limit doubled, at most `doublings`
    times (the limit stays raised on `con`), each doubling told to `warn`; `work` must be safe to run again."""
    for _ in range(doublings):
        try:
            return work()
        except duckdb.OutOfMemoryException as exc:
            limit = memory_limit_bytes(con) * 2
            warn(
                f"DuckDB ran out of memory ({str(exc).splitlines()[0]}); running again with a memory limit of "
                f"{limit / MEMORY_UNITS['MiB']:.0f} MiB (LNR_DUCKDB_MEMORY_LIMIT sets the one to start from)"
            )
            con.execute("SET memory_limit = ?", [f"{limit}B"])
    return work()
