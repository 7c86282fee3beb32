"""The waits before a bulk job's polls: backing off with no job measured, then first at the run time expected."""

from __future__ import annotations

from itertools import islice

import pytest

from connectors.job_polls import PollTimer, reported_rows, reported_seconds


def test_with_no_job_measured_the_waits_back_off_to_the_longest() -> None:
    timer = PollTimer(first=0.5, factor=2.0, longest=3.0)
    assert list(islice(timer.waits(lambda: 0.0), 5)) == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_once_a_job_is_measured_the_first_poll_waits_for_its_run_time_less_what_has_passed() -> None:
    timer = PollTimer(first=0.5, factor=2.0, longest=30.0)
    timer.completed(8.0)
    assert list(islice(timer.waits(lambda: 0.0), 3)) == [pytest.approx(10.05), 0.5, 1.0]
    assert next(timer.waits(lambda: 4.0)) == pytest.approx(6.05)
    assert next(timer.waits(lambda: 60.0)) == 0.0  # a job submitted long ago is polled at once


def test_a_reported_processing_time_is_read_in_seconds_when_present() -> None:
    assert reported_seconds(2500) == 2.5
    assert reported_seconds(None) is None and reported_seconds(0) is None and reported_seconds("12") is None
    assert reported_rows(45) == 45 and reported_rows(True) is None and reported_rows("45") is None


def test_the_estimate_follows_the_next_jobs_size_within_a_limit() -> None:
    timer = PollTimer(first=0.5, factor=2.0, longest=30.0)
    timer.completed(2.0, rows=10_000)
    assert timer.estimate(30_000) == pytest.approx(6.0)
    assert timer.estimate(10**9) == pytest.approx(8.0)  # at most four times: a tiny job measured says little
    assert timer.estimate(10) == pytest.approx(0.5)  # at least a quarter: every job pays a fixed cost
    assert timer.estimate(None) == 2.0
