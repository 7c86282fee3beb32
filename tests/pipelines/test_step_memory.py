"""The bench's memory sampler: no peak between samples is lost, and each sample counts for the steps it overlaps."""

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


def test_each_sample_counts_for_every_step_it_overlaps():
    spans = [StepSpan("raw_a", 10.0, 20.0), StepSpan("audit", 20.5, 30.0)]
    samples = [Sample(0.0, 5.0, 100.0), Sample(15.0, 21.0, 400.0), Sample(21.0, 25.0, 300.0), Sample(30.5, 31.0, 50)]
    assert step_peaks(samples, spans) == {OUTSIDE_STEPS: 100.0, "raw_a": 400.0, "audit": 400.0}


def test_a_phase_keeps_its_largest_step():
    phases = phase_peaks({"raw_a": 300.0, "raw_b": 500.0, "audit": 200.0}, lambda step: step.split("_")[0])
    assert phases.peaks == {"raw": 500.0, "audit": 200.0}
    assert phases.largest_step == {"raw": "raw_b", "audit": "audit"}
