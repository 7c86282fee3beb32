"""A clock that tests move by hand, shared by a client and the sandbox servers, so that waiting costs no time."""

from __future__ import annotations


class FakeTime:
    """A monotonic clock (call it for the time) that moves only when set, advanced, or slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        """The fake time now."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Move the fake time on by `seconds` at once, as a client's wait."""
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass, as idle time no one waited for."""
        self.now += seconds
