"""Dagster's SQLite event log, keeping a connection open per database instead of opening one for every event."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._config import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

# Run databases kept open at once beside the cross-run index: the runs read or written last (a run writes to its own).
OPEN_RUNS = 3


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """The SQLite event log of a Dagster home, in Dagster's own files and tables, with its connections kept open.

    Dagster's storage opens, commits and closes a database for every write, several per event: closing the last
    connection checkpoints the write-ahead log into the database and deletes it, a cost paid some thousand times a
    night. Here each database keeps one connection, so a commit only appends to its log. Writes to a run's database
    still reach the database file at once (a passive checkpoint), because the UI follows a running run by watching
    that file.
    """

    def __init__(self, dagster_home: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(os.path.join(dagster_home, "history", "runs"), inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        """The home whose `history/runs` holds the databases, as in Dagster's default layout."""
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> KeptOpenSqliteEventLogStorage:
        """The storage a dagster.yaml configures."""
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _engine(self, shard: str) -> Engine:
        """The engine of `shard`'s database, its one connection pooled; past `OPEN_RUNS` run databases, the least
        recently used is closed."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            pool_size=1,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[: max(0, len(runs) - OPEN_RUNS)]:
            self._engines.pop(name).dispose()
        return engine

    def _close_all(self) -> None:
        """Close every kept connection."""
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        """Dagster's wipe, the run databases it deletes closed first."""
        with self._db_lock:
            self._close_all()
        super().wipe()

    def dispose(self) -> None:
        """Dagster's dispose, and every kept connection closed."""
        with self._db_lock:
            self._close_all()
        super().dispose()
