"""The bench's memory sampler: no peak between samples is lost, a child process's counts beside this one's, and
each sample counts for the steps it overlaps."""

import multiprocessing
import time

from tests.step_memory import OUTSIDE_STEPS, PeakSampler, Sample, StepSpan, phase_peaks, status_mb, step_peaks

MB = 1024 * 1024


def test_a_peak_freed_between_two_samples_is_still_recorded():
    with PeakSampler(interval=10.0) as sampler:  # no sample is taken before the exit
        before = status_mb("VmRSS")
        spike = b"x" * (200 * MB)
        del spike
        time.sleep(0.01)
    assert status_mb("VmRSS") < before + 100
    assert sampler.peak_mb >= before + 190


def _hold_memory(megabytes: int, held: multiprocessing.Event, release: multiprocessing.Event) -> None:
    """Allocate `megabytes`, say so, and free them once released."""
    block = b"x" * (megabytes * MB)
    held.set()
    release.wait(30)
    del block


def test_a_child_process_peak_is_recorded_beside_this_process():
    context = multiprocessing.get_context("spawn")
    held, release = context.Event(), context.Event()
    child = context.Process(target=_hold_memory, args=(200, held, release))
    before = status_mb("VmRSS")
    with PeakSampler(interval=0.05) as sampler:
        child.start()
        assert held.wait(30)
        time.sleep(0.2)
        release.set()
        child.join(30)
    assert sampler.children_peak_mb >= 200
    assert sampler.peak_mb < before + 100  # the child's memory is not this process's
    assert sampler.together_peak_mb >= sampler.peak_mb + 200


def test_each_sample_counts_for_every_step_it_overlaps():
    spans = [StepSpan("raw_a", 10.0, 20.0), StepSpan("audit", 20.5, 30.0)]
    samples = [Sample(0.0, 5.0, 100.0), Sample(15.0, 21.0, 400.0), Sample(21.0, 25.0, 300.0), Sample(30.5, 31.0, 50)]
    assert step_peaks(samples, spans) == {OUTSIDE_STEPS: 100.0, "raw_a": 400.0, "audit": 400.0}


def test_a_phase_keeps_its_largest_step():
    phases = phase_peaks({"raw_a": 300.0, "raw_b": 500.0, "audit": 200.0}, lambda step: step.split("_")[0])
    assert phases.peaks == {"raw": 500.0, "audit": 200.0}
    assert phases.largest_step == {"raw": "raw_b", "audit": "audit"}
