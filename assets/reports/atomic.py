"""Replacing a file or a whole folder so that readers see the old one or the complete new one, even after a kill.

New content is written beside its target under a temporary name that carries the writer's pid, then renamed in
(a folder is exchanged with the old one in one `renameat2` call where the kernel allows, else moved aside first).
Temporaries that a killed writer left are removed, and a folder it moved aside is put back, by the next writer.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from assets.processes import process_alive

TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{32}\.(?P<kind>new|old)$")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def temporary_sibling(target: Path, kind: str = "new") -> Path:
    """A fresh hidden name beside `target` for this process: new content (`new`) or the old one moved aside (`old`)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.{kind}")


@contextlib.contextmanager
def replacing_file(target: Path) -> Iterator[Path]:
    """A temporary sibling of `target` to write; renamed over `target` on success, removed on any error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    temp = temporary_sibling(target)
    try:
        yield temp
        _fsync(temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    _fsync(target.parent)


@contextlib.contextmanager
def replacing_folder(target: Path) -> Iterator[Path]:
    """A fresh temporary folder beside `target` to fill; it replaces `target` whole on success, or is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    temp = temporary_sibling(target)
    temp.mkdir()
    try:
        yield temp
        for path in temp.iterdir():
            _fsync(path)
        _fsync(temp)
        _swap_in(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _fsync(target.parent)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Clear what killed writers left in `folder`: a folder moved aside whose target is gone is put back."""
    cleared = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = TEMPORARY.match(entry.name)
        if match is None or process_alive(int(match["pid"])):
            continue
        target = folder / match["name"]
        if match["kind"] == "old" and not target.exists():
            os.rename(entry, target)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        cleared.append(entry)
    return cleared


def _swap_in(new: Path, target: Path) -> None:
    """Put the folder `new` at `target`; the old folder, if any, is removed once the new one is in place."""
    if not target.exists():
        os.rename(new, target)
    elif _exchange(new, target):
        shutil.rmtree(new)  # holds the old folder now
    else:
        aside = temporary_sibling(target, "old")
        os.rename(target, aside)
        os.rename(new, target)
        shutil.rmtree(aside)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux `renameat2` with RENAME_EXCHANGE); False where that is not available."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _fsync(path: Path) -> None:
    """Flush a file's or folder's content to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
