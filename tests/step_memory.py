"""The peak resident memory of this process per Dagster step: a thread samples the peak since its last sample
(VmHWM, reset after each read) and the samples are attributed to the steps the run's event log says were running."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
RESET_PEAK = "5"  # what, written to clear_refs, sets VmHWM back to the current resident size (Linux)
OUTSIDE_STEPS = "outside steps"  # the run's setup and teardown, and the caller's own work around it


def status_mb(name: str, process: int | str = "self") -> float:
    """A memory figure of this process (or of `process`, a pid) from /proc/<pid>/status (VmRSS, VmHWM, ...) in MB."""
    status = (PROC / str(process) / "status").read_text(encoding="ascii")
    line = next(line for line in status.splitlines() if line.startswith(f"{name}:"))
    return int(line.split()[1]) / 1024


def reset_peak(process: int | str = "self") -> None:
    """Set the VmHWM of this process (or of `process`, a pid) back to its current resident size."""
    (PROC / str(process) / "clear_refs").write_text(RESET_PEAK, encoding="ascii")


def children_peak_mb() -> float:
    """The peaks of this process's child processes (a night's validation process) since the last reading, summed;
    each reset after reading. A child that ended meanwhile counts no more."""
    peak = 0.0
    for child in multiprocessing.active_children():
        try:
            peak += status_mb("VmHWM", child.pid)
            reset_peak(child.pid)
        except (OSError, StopIteration):
            continue
    return peak


@dataclass(frozen=True)
class Sample:
    """The peak resident memory (MB) of this process between `started` and `ended` (time.time() seconds), and the
    peaks of its child processes in that time, summed."""

    started: float
    ended: float
    peak_mb: float
    children_mb: float = 0.0


@dataclass(frozen=True)
class StepSpan:
    """When one step ran (time.time() seconds)."""

    step: str
    started: float
    ended: float


class PeakSampler:
    """A daemon thread recording, every `interval` seconds, the peak resident memory since the previous sample;
    used as a context manager. Every byte of the peak falls in some sample, so no spike between samples is lost."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-sampler", daemon=True)
        self._last = time.time()

    def __enter__(self) -> PeakSampler:
        reset_peak()
        self._last = time.time()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()

    def _sample(self) -> None:
        """Take a sample every interval until stopped."""
        while not self._stop.wait(self.interval):
            self._take()

    def _take(self) -> None:
        """Record the peak since the previous sample and start the next interval."""
        now, peak = time.time(), status_mb("VmHWM")
        reset_peak()
        self.samples.append(Sample(self._last, now, peak, children_peak_mb()))
        self._last = now

    @property
    def peak_mb(self) -> float:
        """The peak resident memory over all samples."""
        return max((s.peak_mb for s in self.samples), default=0.0)

    @property
    def children_peak_mb(self) -> float:
        """The peak of the child processes together over all samples."""
        return max((s.children_mb for s in self.samples), default=0.0)

    @property
    def together_peak_mb(self) -> float:
        """The peak of this process and its children together (within one sample's interval) over all samples."""
        return max((s.peak_mb + s.children_mb for s in self.samples), default=0.0)


def step_peaks(samples: Iterable[Sample], spans: Iterable[StepSpan]) -> dict[str, float]:
    """Per step, the highest sample whose interval overlaps the step's run (an interval that straddles two steps
    counts for both); samples overlapping no step go to OUTSIDE_STEPS."""
    spans = list(spans)
    peaks: dict[str, float] = {}
    for sample in samples:
        running = [s.step for s in spans if s.started <= sample.ended and sample.started <= s.ended] or [OUTSIDE_STEPS]
        for step in running:
            peaks[step] = max(peaks.get(step, 0.0), sample.peak_mb)
    return peaks


def run_step_spans(instance, run_id: str) -> list[StepSpan]:
    """When each step of the Dagster run `run_id` started and ended, from the instance's event log."""
    starts: dict[str, float] = {}
    spans: list[StepSpan] = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.is_step_start:
            starts[event.step_key] = entry.timestamp
        elif (event.is_step_success or event.is_step_failure or event.is_step_skipped) and event.step_key in starts:
            spans.append(StepSpan(event.step_key, starts.pop(event.step_key), entry.timestamp))
    return spans


@dataclass
class PhasePeaks:
    """The peak resident memory of a run's process per phase (a group of steps), and each phase's largest step."""

    peaks: dict[str, float] = field(default_factory=dict)
    largest_step: dict[str, str] = field(default_factory=dict)


def phase_peaks(peaks_by_step: dict[str, float], phase_of) -> PhasePeaks:
    """`peaks_by_step` grouped by `phase_of(step)`: per phase its highest peak and the step that had it."""
    phases = PhasePeaks()
    for step, peak in sorted(peaks_by_step.items()):
        phase = phase_of(step)
        if peak > phases.peaks.get(phase, -1.0):
            phases.peaks[phase], phases.largest_step[phase] = peak, step
    return phases
