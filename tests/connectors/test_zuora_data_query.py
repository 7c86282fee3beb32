"""Zuora's Data Query path: the path chosen per read, windows, bounded jobs, deletions, tracking and job faults."""

from __future__ import annotations

import re

import pytest
from connector_worlds import ZUORA_ACCOUNT, ZUORA_SUBSCRIPTION, build_world, stamp, typed, zuora_client

from connectors.data_query import DataQuerySettings
from connectors.errors import ExtractionError
from sandbox.servers import JobFault
from tests.fake_time import FakeTime

INSTANT = {"zuora_job_seconds": 0.0}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def bulk_client(endpoints, fake: FakeTime | None = None, **settings):
    """A client that sends every read of more than 10 records to Data Query, waiting on `fake` time."""
    fake = fake or FakeTime()
    data_query = DataQuerySettings(**{"bulk_threshold": 10, **settings})
    return zuora_client(endpoints, data_query=data_query, clock=fake, sleep=fake.sleep)


def read_all(client, obj, since=None) -> list[dict]:
    """Every record of one read."""
    return [record for page in client.iter_pages(obj, since) for record in page]


def test_reads_above_the_threshold_go_to_data_query_and_give_the_action_querys_records(world, serve) -> None:
    servers = serve(options=INSTANT)
    with zuora_client(servers.endpoints) as small_reads:
        expected = read_all(small_reads, ZUORA_SUBSCRIPTION)
        assert small_reads.last_path == "query" and small_reads.jobs == 0
    with bulk_client(servers.endpoints) as client:
        records = read_all(client, ZUORA_SUBSCRIPTION)
        assert (client.last_path, client.jobs, client.polls) == ("bulk", 1, 1)
        # token, the first action-query page that gave the size, submit, poll, download
        assert client.api_calls == 5
        assert read_all(client, ZUORA_ACCOUNT) and client.last_path == "query"
    assert [r["Id"] for r in records] == sorted(r["Id"] for r in expected)
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, expected)


def test_a_read_expected_above_the_threshold_goes_to_data_query_without_a_size_probe(world, serve) -> None:
    servers = serve(options=INSTANT)
    with bulk_client(servers.endpoints) as client:
        records = [r for page in client.iter_pages(ZUORA_SUBSCRIPTION, expected_rows=45) for r in page]
        assert client.last_path == "bulk" and "45 records expected" in client.last_path_reason
        assert client.api_calls == 4  # token, submit, poll, download: no action-query page
        small_hint = [r for page in client.iter_pages(ZUORA_SUBSCRIPTION, expected_rows=5) for r in page]
        assert client.last_path == "bulk" and "first page reports 45 records" in client.last_path_reason
        assert client.api_calls == 4 + 4  # a hint within the threshold costs the probe again
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, small_hint)
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])


def test_an_increment_reads_only_records_updated_since(world, serve) -> None:
    servers = serve(options=INSTANT)
    since = stamp(20)
    with bulk_client(servers.endpoints) as client:
        records = read_all(client, ZUORA_SUBSCRIPTION, since)
        assert client.last_path == "bulk"
    wanted = [r for i, r in enumerate(world.records[ZUORA_SUBSCRIPTION]) if i >= 20]
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, wanted)


def test_a_large_read_is_split_into_windows_with_at_most_the_allowed_jobs_running(world, serve) -> None:
    servers = serve(options={"zuora_job_seconds": 0.05, "zuora_max_running_jobs": 2})
    with bulk_client(servers.endpoints, window_records=10, max_concurrent_jobs=2, poll_initial=0.05) as client:
        records = read_all(client, ZUORA_SUBSCRIPTION)
        # one histogram job, then one job per day of records (12, 24 and 9 records: no day is split)
        assert client.jobs == 1 + 3
        # the sandbox refuses a third running job with 429: every request succeeded at once
        assert servers.request_counts()["zuora"] == client.api_calls - client.jobs
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])


@pytest.mark.slow
def test_job_states_advance_over_time_and_polls_back_off(serve) -> None:
    servers = serve(options={"zuora_job_seconds": 0.6})
    with zuora_client(servers.endpoints, data_query=DataQuerySettings(bulk_threshold=10, poll_initial=0.1)) as client:
        assert len(read_all(client, ZUORA_SUBSCRIPTION)) == 45
        # polls at 0.1, 0.3 and 0.7 s: the third finds the job completed
        assert client.polls == 3
        # the next job is polled once its predecessor's processingTime (0.6 s, with a margin) has passed
        assert len(read_all(client, ZUORA_SUBSCRIPTION)) == 45
        assert client.polls == 3 + 1


def test_every_call_carries_the_run_track_id_and_the_result_file_gets_no_token(serve) -> None:
    servers = serve(options=INSTANT)
    with bulk_client(servers.endpoints) as client:
        read_all(client, ZUORA_SUBSCRIPTION)
        assert re.fullmatch(r"lnr-audit-[0-9a-f]{32}", client.track_id)
        assert servers.zuora_track_ids() == {client.track_id: client.api_calls - 1}
    # the file host refuses any request that carries an Authorization header: the download succeeded without one
    assert servers.result_file_requests() == 1


def test_a_track_id_longer_than_zuora_accepts_is_refused(endpoints) -> None:
    with pytest.raises(ValueError, match="at most 64 ASCII characters"):
        zuora_client(endpoints, track_id="x" * 65)


def test_deleted_records_are_read_with_read_deleted(world, serve, tmp_path) -> None:
    servers = serve(options=INSTANT)
    kept = world.records[ZUORA_SUBSCRIPTION][:40]
    build_world(tmp_path / "next", {ZUORA_SUBSCRIPTION: 40, ZUORA_ACCOUNT: 7})
    servers.load_world(tmp_path / "next")
    with bulk_client(servers.endpoints) as client:
        deleted = [i for page in client.iter_deleted_id_pages(ZUORA_SUBSCRIPTION, stamp(43)) for i in page]
        assert client.jobs == 1
        assert typed(ZUORA_SUBSCRIPTION, read_all(client, ZUORA_SUBSCRIPTION)) == typed(ZUORA_SUBSCRIPTION, kept)
    assert sorted(deleted) == [f"{i + 1:032x}" for i in range(40, 45)]


def test_one_job_reads_the_deleted_ids_of_several_objects_each_from_its_own_bound(world, serve, tmp_path) -> None:
    servers = serve(options=INSTANT)
    build_world(tmp_path / "next", {ZUORA_SUBSCRIPTION: 40, ZUORA_ACCOUNT: 4})
    servers.load_world(tmp_path / "next")
    bounds = {ZUORA_SUBSCRIPTION: stamp(43), ZUORA_ACCOUNT: stamp(43)}
    with bulk_client(servers.endpoints) as client:
        pages = client.iter_deleted_id_pages(ZUORA_SUBSCRIPTION, stamp(43), bounds)
        subscriptions = [i for page in pages for i in page]
        calls = client.api_calls
        accounts = [i for page in client.iter_deleted_id_pages(ZUORA_ACCOUNT, stamp(44)) for i in page]
        assert (client.jobs, client.api_calls) == (1, calls)  # the account's ids came with the subscriptions'
        again = [i for page in client.iter_deleted_id_pages(ZUORA_ACCOUNT, stamp(44)) for i in page]
        assert client.jobs == 2  # ids are given once; a second ask reads them afresh
        later = list(client.iter_deleted_id_pages(ZUORA_SUBSCRIPTION, stamp(40), {ZUORA_ACCOUNT: stamp(10**5)}))
        assert client.jobs == 3 and later
        # kept from a later bound than asked (so none): read afresh from the bound asked
        afresh = [i for page in client.iter_deleted_id_pages(ZUORA_ACCOUNT, stamp(44)) for i in page]
        assert client.jobs == 4
    assert sorted(subscriptions) == [f"{i + 1:032x}" for i in range(40, 45)]
    assert sorted(accounts) == sorted(again) == sorted(afresh) == [f"{i + 1:032x}" for i in range(4, 7)]


@pytest.mark.parametrize(
    ("fault", "jobs"),
    [
        (JobFault.FAIL, 2),
        (JobFault.ABORT, 2),
        (JobFault.EXPIRED_URL, 1),
        (JobFault.TRUNCATED_FILE, 1),
    ],
)
def test_a_job_fault_is_survived_with_the_same_records(world, serve, fault, jobs) -> None:
    servers = serve(options=INSTANT, job_script=(fault,))
    with bulk_client(servers.endpoints) as client:
        records = read_all(client, ZUORA_SUBSCRIPTION)
        assert client.jobs == jobs
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])
    downloads = 2 if fault in (JobFault.EXPIRED_URL, JobFault.TRUNCATED_FILE) else 1
    assert servers.result_file_requests() == downloads


def test_a_truncated_file_met_mid_stream_yields_no_record_twice(world, serve) -> None:
    servers = serve(options=INSTANT, job_script=(JobFault.TRUNCATED_FILE,))
    fake = FakeTime()
    settings = DataQuerySettings(bulk_threshold=10)
    with zuora_client(
        servers.endpoints, page_size=5, data_query=settings, clock=fake, sleep=fake.sleep
    ) as client:
        records = read_all(client, ZUORA_SUBSCRIPTION)
    assert len(records) == 45
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])


def test_a_job_stuck_past_the_clients_patience_is_cancelled_and_submitted_again(world, serve) -> None:
    servers = serve(options=INSTANT, job_script=(JobFault.STALL,))
    fake = FakeTime()
    with bulk_client(servers.endpoints, fake, patience=120.0, poll_max=30.0) as client:
        records = read_all(client, ZUORA_SUBSCRIPTION)
        assert client.jobs == 2
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])
    # polls back off 0.5, 1, 2 … up to 30 s; 120 s of patience then a cancel; none of it slept for real
    assert fake.sleeps[:8] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert fake.now >= 120.0


def test_a_job_that_keeps_failing_fails_the_read_naming_the_job_and_zuoras_error(serve) -> None:
    servers = serve(options=INSTANT, job_script=(JobFault.FAIL,) * 3)
    with zuora_client(
        servers.endpoints, max_attempts=3, data_query=DataQuerySettings(bulk_threshold=10), sleep=lambda s: None
    ) as client:
        with pytest.raises(ExtractionError) as failure:
            read_all(client, ZUORA_SUBSCRIPTION)
        assert client.jobs == 3
    assert re.search(
        rf"zuora: Data Query job {UUID}: gave up after 3 attempts; last: failed: Query failed: .*seeded fault",
        str(failure.value),
    )
