"""One audit at a time: a run lock beside the DuckDB file, held by the process that runs the night.

The lock is an advisory `flock` on `<database>.run-lock`, which the kernel releases when its process dies; the
file also names the holder (run id, pid, host, since), so a refused run can say which audit is running and a
lock left by a killed process is recognised and taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".run-lock"

_held: dict[Path, str] = {}  # lock file → run id, for the locks this process holds
_held_guard = threading.Lock()


@dataclass(frozen=True)
class LockHolder:
    """The audit that holds (or held) a database's run lock."""

    run_id: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        """`run <id> (pid <pid> on <host>, since <time>)`."""
        return f"run {self.run_id} (pid {self.pid} on {self.host}, since {self.since})"


class AuditRunning(RuntimeError):
    """Another audit holds the database's run lock."""


def lock_path(database: Path) -> Path:
    """The run lock file of `database`: `<database>.run-lock` beside it."""
    database = Path(database).absolute()
    return database.with_name(database.name + LOCK_SUFFIX)


@contextlib.contextmanager
def held_run_lock(database: Path, run_id: str) -> Iterator[LockHolder | None]:
    """Hold `database`'s run lock for run `run_id`; yields the dead holder taken over, if any.

    Re-entrant for the same run in the same process; AuditRunning names the live holder otherwise.
    """
    path = lock_path(database)
    with _held_guard:
        owner = _held.get(path)
        if owner is not None and owner != run_id:
            raise AuditRunning(f"another audit is running on {database}: run {owner} in this process")
        reentered = owner == run_id
        if not reentered:
            _held[path] = run_id
    if reentered:
        yield None
        return
    try:
        with _locked_file(path, run_id, database) as previous:
            yield previous
    finally:
        with _held_guard:
            _held.pop(path, None)


@contextlib.contextmanager
def _locked_file(path: Path, run_id: str, database: Path) -> Iterator[LockHolder | None]:
    """Hold the flock on `path` and name this process in it; yields the dead holder it still named, if any."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            running = holder.describe() if holder else "a run that has not yet written its name"
            raise AuditRunning(
                f"another audit is running on {database}: {running}; one audit at a time, try again when it has ended"
            ) from None
        previous = _read_holder(fd)
        if previous is not None:
            logger.warning("took over the run lock of %s on %s: its process is gone", previous.describe(), database)
        _write_holder(fd, LockHolder(run_id, os.getpid(), socket.gethostname(), _now()))
        try:
            yield previous
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def current_holder(database: Path) -> LockHolder | None:
    """The holder named in `database`'s lock file, live or dead; None when the lock is free and clean."""
    path = lock_path(database)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        return _read_holder(fd)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> LockHolder | None:
    """The holder named in the open lock file, if any."""
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64 * 1024).decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        return LockHolder(**json.loads(text))
    except (ValueError, TypeError):
        return LockHolder(run_id="unknown", pid=0, host="unknown", since="unknown")


def _write_holder(fd: int, holder: LockHolder) -> None:
    """Name `holder` in the open lock file, on disk."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(asdict(holder)).encode("utf-8"))
    os.fsync(fd)


def _now() -> str:
    """The time now, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
