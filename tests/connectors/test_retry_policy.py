"""The shared retry policy: backoff bounds, Retry-After, bounded attempts, error naming."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging

import pytest

from connectors.base import iso_utc
from connectors.errors import ExtractionError, error_message
from connectors.retry import RetryPolicy, TransientError, call_with_retries, parse_retry_after, with_retries


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    in_a_minute = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60), usegmt=True)
    assert 55 <= parse_retry_after(in_a_minute) <= 60
    past = email.utils.format_datetime(dt.datetime(2000, 1, 1, tzinfo=dt.UTC), usegmt=True)
    assert parse_retry_after(past) == 0.0


def test_delay_is_full_jitter_under_a_growing_cap_and_retry_after_is_capped() -> None:
    policy = RetryPolicy(max_attempts=6, backoff_base=1.0, backoff_max=5.0)
    for retry, cap in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)):
        delays = [policy.delay(retry) for _ in range(200)]
        assert all(0.0 <= d <= cap for d in delays)
        assert max(delays) > cap / 2
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=120.0) == 5.0


def test_attempts_are_bounded_and_the_error_names_system_endpoint_and_last_status(caplog) -> None:
    calls, sleeps = [], []

    def attempt() -> None:
        calls.append(1)
        raise TransientError("HTTP 503", status=503, retry_after=2.0)

    caplog.set_level(logging.WARNING, "connectors.retry")
    with pytest.raises(ExtractionError) as info:
        call_with_retries(
            RetryPolicy(max_attempts=4, backoff_max=1.5),
            "zuora",
            "POST /v1/action/query",
            attempt,
            sleep=sleeps.append,
        )
    assert len(calls) == 4
    assert sleeps == [1.5, 1.5, 1.5]
    assert len(caplog.records) == 3
    assert info.value.status == 503
    assert str(info.value) == "zuora: POST /v1/action/query: gave up after 4 attempts; last: HTTP 503"


def test_a_success_after_failures_is_returned() -> None:
    outcomes = iter([TransientError("ReadTimeout"), TransientError("HTTP 429", status=429), "ok"])

    def attempt() -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert call_with_retries(RetryPolicy(backoff_base=0.0), "customersdot", "GET /x", attempt) == "ok"


def test_error_messages_of_each_vendor_shape() -> None:
    assert (
        error_message({"success": False, "reasons": [{"code": 53100320, "message": "bad query"}]})
        == "bad query"
    )
    assert error_message([{"message": "Session expired", "errorCode": "INVALID_SESSION_ID"}]) == (
        "INVALID_SESSION_ID: Session expired"
    )
    assert error_message({"message": "401 Unauthorized"}) == "401 Unauthorized"
    assert error_message("<html>") == ""


def test_iso_utc_floors_to_seconds_in_utc() -> None:
    moment = dt.datetime(2026, 11, 26, 1, 2, 3, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    assert iso_utc(moment) == "2026-11-26T09:02:03Z"
    assert iso_utc(dt.datetime(2026, 11, 26)) == "2026-11-26T00:00:00Z"


def test_the_retry_helper_stops_at_the_deadline_of_its_clock_with_exact_waits_without_jitter() -> None:
    now = [0.0]
    told, attempts = [], []

    def attempt() -> None:
        attempts.append(now[0])
        raise OSError("busy")

    def sleep(seconds: float) -> None:
        now[0] += seconds

    policy = RetryPolicy(max_attempts=100, backoff_base=0.1, backoff_max=1.0, jitter=False)
    with pytest.raises(OSError, match="busy"):
        with_retries(attempt, policy, transient=lambda exc: True, on_retry=lambda *a: told.append(a[2]), deadline=2.5,
              sleep=sleep, clock=lambda: now[0])
    assert told == [0.1, 0.2, 0.4, 0.8, 1.0]
    assert attempts == pytest.approx([0.0, 0.1, 0.3, 0.7, 1.5, 2.5])


def test_the_retry_helper_raises_an_error_that_is_not_transient_at_once() -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        raise ValueError("bad request")

    with pytest.raises(ValueError, match="bad request"):
        with_retries(
            attempt, RetryPolicy(max_attempts=5), transient=lambda exc: isinstance(exc, OSError), sleep=calls.append
        )
    assert calls == [1]
