"""Replacing a set of files so that readers see either the old files or the complete new ones."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path


@contextlib.contextmanager
def replacing(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary siblings of `targets` to write; renamed over the targets on success, removed on any error."""
    temps = [target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp") for target in targets]
    try:
        yield temps
        for temp in temps:
            _fsync(temp)
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
    except BaseException:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
