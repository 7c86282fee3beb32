"""When to poll a bulk job: first once the run time expected from the previous job has passed, then backing off."""

from __future__ import annotations

from collections.abc import Callable, Iterator

MARGIN = 1.25  # a job may run a little longer than expected; one poll late beats two polls early
SLACK = 0.05  # seconds added to the estimate, for the answer's way back
SCALE_LIMIT = 4.0  # the most a job's size may stretch (or shrink) the measured run time


class PollTimer:
    """The waits before each status poll of a job, adapted to the jobs of the same client that completed before.

    With no job measured yet, the waits are `first`, then `first * factor`…, capped at `longest`. Once a
    job has completed, its run time (the vendor's own processing time when it reports one, else the time
    it took to see it complete) is the estimate, scaled by the size of the next job against its own
    (within a factor of `SCALE_LIMIT` either way: a job also pays a fixed cost): the next job is first
    polled when the estimate (with a margin) has passed since its submission, and backs off as before if
    it is still running.
    """

    def __init__(self, first: float, factor: float, longest: float) -> None:
        self.first = first
        self.factor = factor
        self.longest = longest
        self._measured: tuple[float, int | None] | None = None

    def estimate(self, rows: int | None) -> float | None:
        """The seconds a job of `rows` records (None if unknown) is expected to run, or None before any job."""
        if self._measured is None:
            return None
        seconds, measured_rows = self._measured
        if not rows or not measured_rows:
            return seconds
        return seconds * min(max(rows / measured_rows, 1 / SCALE_LIMIT), SCALE_LIMIT)

    def waits(self, elapsed: Callable[[], float], rows: int | None = None) -> Iterator[float]:
        """The wait before each poll of a job of about `rows` records, `elapsed()` telling the seconds since it
        was submitted."""
        expected = self.estimate(rows)
        if expected is not None:
            yield max(expected * MARGIN + SLACK - elapsed(), 0.0)
        wait = self.first
        while True:
            yield wait
            wait = min(wait * self.factor, self.longest)

    def completed(self, seconds: float, rows: int | None = None) -> None:
        """Take a completed job's run time (and its records, if known) as the measure of the next ones."""
        self._measured = (max(seconds, 0.0), rows)


def reported_seconds(milliseconds: object) -> float | None:
    """A processing time the vendor reports in milliseconds, in seconds; None when absent or unreadable."""
    return milliseconds / 1000 if isinstance(milliseconds, int | float) and milliseconds > 0 else None


def reported_rows(count: object) -> int | None:
    """A record count the vendor reports, or None when absent or unreadable."""
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None
