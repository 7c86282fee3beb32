"""Timing the steps of an audit: wall and CPU seconds of each staging statement and each rule."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def cpu_seconds() -> float:
    """CPU seconds used so far by this process, every thread (DuckDB's workers included), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class StepTime:
    """One timed step: its name, wall seconds and CPU seconds."""

    step: str
    seconds: float
    cpu_seconds: float


@dataclass
class Stopwatch:
    """The steps timed so far, in the order they ran."""

    steps: list[StepTime] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step `name`."""
        wall, cpu = time.monotonic(), cpu_seconds()
        try:
            yield
        finally:
            self.steps.append(StepTime(name, time.monotonic() - wall, cpu_seconds() - cpu))

    def slowest(self, count: int) -> list[StepTime]:
        """The `count` steps that took the most CPU time, the most first."""
        return sorted(self.steps, key=lambda s: s.cpu_seconds, reverse=True)[:count]
