"""Dagster's SQLite event log, keeping a connection open per database instead of opening one for every event, and
writing a batch of events in one transaction per database."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dagster._config import StringSource
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine, RootTransaction

# Run databases kept open at once beside the cross-run index: the runs read or written last (a run writes to its own).
OPEN_RUNS = 3
# Dagster hands the storage a batch (a run's planned events) only when this variable is set; up to this many at once.
EVENT_BATCH_SIZE = "1000"


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """The SQLite event log of a Dagster home, in Dagster's own files and tables, with its connections kept open.

    Dagster's storage opens, commits and closes a database for every write, several per event: closing the last
    connection checkpoints the write-ahead log into the database and deletes it, a cost paid some thousand times a
    night. Here each database keeps one connection, so a commit only appends to its log. Writes to a run's database
    still reach the database file at once (a passive checkpoint), because the UI follows a running run by watching
    that file.

    A batch of events (the planned events a run writes before it starts, one per asset and check) is written in
    one transaction per database rather than two or three per event. Dagster hands its storage batches only when
    `DAGSTER_EVENT_BATCH_SIZE` is set, so this storage sets it in its process unless the operator did.
    """

    def __init__(self, dagster_home: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._batch: _Batch | None = None
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)
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

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Store `events` as Dagster stores each, in one transaction per database; an error before the commits
        stores none of them (the error raised, Dagster then stores them one by one)."""
        with self._db_lock:
            self._batch = batch = _Batch()
            try:
                for event in events:
                    self.store_event(event)
                batch.commit()
            finally:
                self._batch = None
                batch.close()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        batch = self._batch
        if batch is not None and batch.thread == threading.get_ident():
            yield batch.connection(shard, self._engine)
            return
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


class _Batch:
    """The connections of one batch of events, each in a transaction begun at its first write."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self._open: dict[str, tuple[Connection, RootTransaction]] = {}

    def connection(self, shard: str, engine_of: Callable[[str], Engine]) -> Connection:
        """The batch's connection to `shard`'s database (its engine from `engine_of` at the first write), in its
        transaction."""
        if shard not in self._open:
            connection = engine_of(shard).connect()
            self._open[shard] = (connection, connection.begin())
        return self._open[shard][0]

    def commit(self) -> None:
        """Commit each transaction, and checkpoint each run database for those watching it."""
        for shard, (connection, transaction) in self._open.items():
            transaction.commit()
            if shard != INDEX_SHARD_NAME:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        """Return the connections to their engines, rolling back what was not committed."""
        for connection, _ in self._open.values():
            connection.close()
        self._open.clear()
