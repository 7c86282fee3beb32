"""When to poll a bulk job: first once the run time measured on the previous job has passed, then backing off."""

from __future__ import annotations

from collections.abc import Callable, Iterator

MARGIN = 1.25  # a job may run a little longer than the last one; one poll late beats two polls early
SLACK = 0.05  # seconds added to the estimate, for the answer's way back


class PollTimer:
    """The waits before each status poll of a job, adapted to the jobs of the same client that completed before.

    With no job measured yet, the waits are `first`, then `first * factor`…, capped at `longest`. Once a
    job has completed, its run time (the vendor's own processing time when it reports one, else the time
    it took to see it complete) is the estimate: the next job is first polled when the estimate (with a
    margin) has passed since its submission, and backs off as before if it is still running.
    """

    def __init__(self, first: float, factor: float, longest: float) -> None:
        self.first = first
        self.factor = factor
        self.longest = longest
        self.estimate: float | None = None

    def waits(self, elapsed: Callable[[], float]) -> Iterator[float]:
        """The wait before each poll of a job, `elapsed()` telling the seconds since it was submitted."""
        if self.estimate is not None:
            yield max(self.estimate * MARGIN + SLACK - elapsed(), 0.0)
        wait = self.first
        while True:
            yield wait
            wait = min(wait * self.factor, self.longest)

    def completed(self, seconds: float) -> None:
        """Take a completed job's run time as the estimate for the next ones."""
        self.estimate = max(seconds, 0.0)


def reported_seconds(milliseconds: object) -> float | None:
    """A processing time the vendor reports in milliseconds, in seconds; None when absent or unreadable."""
    return milliseconds / 1000 if isinstance(milliseconds, int | float) and milliseconds > 0 else None
