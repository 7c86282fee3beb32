"""Salesforce Bulk API 2.0: the path per read, identical raw tables either way, polling, job and page faults."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from connector_worlds import (
    AS_OF,
    SF_ACCOUNT,
    SF_OPPORTUNITY,
    SIZES,
    build_world,
    make_record,
    salesforce_client,
    typed,
)

from assets.extraction import extract
from assets.raw_store import connect
from connectors.errors import ExtractionError
from connectors.salesforce import SalesforceClient
from connectors.salesforce_bulk import Polling, results_page_problem, typed_csv
from sandbox.world import Manifest, write_manifest, write_records
from tests.fake_time import FakeTime

ALWAYS_BULK = {"bulk_threshold": 0}


def bulk_client(endpoints, fake: FakeTime, **options):
    """A client that always takes the bulk path, polling on `fake` time."""
    return salesforce_client(endpoints, clock=fake, sleep=fake.sleep, **{**ALWAYS_BULK, **options})


def read(client, obj, since=None) -> list[dict]:
    return [r for page in client.iter_pages(obj, since) for r in page]


def test_typed_csv_reads_values_by_the_declaration() -> None:
    text = (
        '"ID","Amount","Web_Portal_Purchase__c","CloseDate","SystemModstamp","Name","IsDeleted","Extra__c"\n'
        '"006A","12345678901234.57","true","2026-11-20","2026-11-26T00:30:00.000+0100","a, ""b""\nc","",""\n'
        '"006B","","false","","","  ","maybe","x"\n'
    )
    first, second = typed_csv(SF_OPPORTUNITY, io.StringIO(text, newline=""))
    assert first == {
        "Id": "006A",
        "Amount": Decimal("12345678901234.57"),
        "Web_Portal_Purchase__c": True,
        "CloseDate": dt.date(2026, 11, 20),
        "SystemModstamp": dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC),
        "Name": 'a, "b"\nc',
        "IsDeleted": None,
    }
    assert second["Amount"] is None and second["CloseDate"] is None and second["Name"] is None
    assert second["Web_Portal_Purchase__c"] is False and second["IsDeleted"] == "maybe"
    assert list(typed_csv(SF_OPPORTUNITY, [])) == []


def test_a_results_page_is_checked_against_its_announced_count_and_header() -> None:
    def problem(text: str, announced: int) -> str:
        return results_page_problem(io.StringIO(text, newline=""), announced)

    header = '"Id","Name"\n'
    assert problem(header + '"1","a\nb"\n"2",""\n', 2) == ""
    assert problem("", 0) == ""
    assert problem(header + '"1","a"\n', 2) == "has 1 of the 2 records announced"
    assert problem(header + '"1","a"\n"2"\n', 2) == "row 2 has 1 of 2 columns"
    assert problem(header + '"1","a', 1).startswith("is not readable CSV")


def test_the_path_follows_the_threshold_and_both_paths_read_the_same_records(world, endpoints) -> None:
    with salesforce_client(endpoints, bulk_threshold=len(world.records[SF_ACCOUNT])) as client:
        by_query = read(client, SF_ACCOUNT)
        assert (client.last_path, client.jobs, client.polls) == ("query", 0, 0)
    with salesforce_client(endpoints, bulk_threshold=len(world.records[SF_ACCOUNT]) - 1, page_size=200) as client:
        pages = list(client.iter_pages(SF_ACCOUNT))
        assert client.last_path == "bulk" and client.jobs == 1 and client.polls >= 1
        ids = [i for page in client.iter_id_pages(SF_ACCOUNT) for i in page]
    assert [len(p) for p in pages] == [200, 200, 50]
    by_bulk = [r for p in pages for r in p]
    assert typed(SF_ACCOUNT, by_bulk) == typed(SF_ACCOUNT, by_query) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])
    assert sorted(ids) == sorted(r["Id"] for r in world.records[SF_ACCOUNT])


def test_a_small_increment_takes_the_rest_path(world, endpoints) -> None:
    since = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC) + dt.timedelta(hours=440)
    with salesforce_client(endpoints, bulk_threshold=100) as client:
        records = read(client, SF_ACCOUNT, since)
        assert client.last_path == "query" and client.jobs == 0
    assert len(records) == 10


def tricky_world(root: Path) -> Path:
    """The connector world plus Opportunities whose values CSV and JSON render differently."""
    build_world(root, SIZES)
    base = {"AccountId": "001000000000000001", "SystemModstamp": "2026-11-26T00:30:00.000+0100", "IsDeleted": False}
    odd = [
        {"Name": 'quote " comma , newline \n end', "Amount": 0.1},
        {"Name": "  padded  ", "Amount": 1e15, "Web_Portal_Purchase__c": True},
        {"Name": "   ", "Amount": -0.0, "CloseDate": "2026-02-28T00:00:00Z"},
        {"Name": 42, "Invoice_Number__c": 7.0, "Amount": "12.345"},
        {"Name": True, "IsDeleted": True, "Amount": 10},
        {"Name": "bad bool", "Web_Portal_Purchase__c": "Yes"},
        {"Name": "bad date", "CloseDate": "soon"},
        {"Name": "Zürich ✓ 東京", "Type": "Renewal"},
    ]
    records = [
        *(make_record(SF_OPPORTUNITY, i) for i in range(30)),
        *({"Id": f"006{900 + i:015d}", **base, **r} for i, r in enumerate(odd)),
    ]
    write_records(root, SF_OPPORTUNITY, records)
    write_manifest(root, Manifest(as_of=AS_OF))
    return root


def raw_table(database: Path, obj) -> list[tuple]:
    with connect(str(database), read_only=True) as con:
        table = con.execute(f'SELECT * FROM {obj.table} ORDER BY "Id"').fetchall()
        quarantine = con.execute("SELECT record_key, object FROM meta.quarantine ORDER BY 1").fetchall()
    return [*table, *quarantine]


@pytest.mark.slow
def test_both_paths_give_identical_raw_tables_full_and_incremental(serve, tmp_path) -> None:
    servers = serve(tricky_world(tmp_path / "world"), {"salesforce_job_seconds": 0})
    tables = {}
    for path, threshold in (("query", 10**9), ("bulk", 0)):
        database = tmp_path / f"{path}.duckdb"
        client = salesforce_client(servers.endpoints, bulk_threshold=threshold, page_size=200)
        with connect(str(database)) as con, client:
            for obj in (SF_ACCOUNT, SF_OPPORTUNITY):
                extract(con, client, obj, full=True)
                assert client.last_path == path
            increment = extract(con, client, SF_ACCOUNT, overlap=dt.timedelta(days=30))
            assert (increment.mode, client.last_path) == ("incremental", path)
        tables[path] = [raw_table(database, obj) for obj in (SF_ACCOUNT, SF_OPPORTUNITY)]
    assert tables["query"] == tables["bulk"]
    assert len(tables["bulk"][1]) == 30 + 8 - 2 + 2  # a bad boolean and a bad date quarantined on both paths


def test_polling_backs_off_on_the_injected_clock_until_the_job_completes(world, serve) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 10, "clock": fake})
    polling = Polling(first=0.25, factor=2, longest=8)
    with bulk_client(servers.endpoints, fake, polling=polling, bulk_results_page=100) as client:
        records = read(client, SF_ACCOUNT)
        assert (client.jobs, client.polls) == (1, 6)
        assert client.api_calls == servers.request_counts()["salesforce"] == 1 + 1 + 6 + 5
    assert fake.sleeps == [0.25, 0.5, 1, 2, 4, 8]
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])


def test_a_job_is_first_polled_when_the_previous_jobs_run_time_has_passed(world, serve) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 10, "clock": fake})
    with bulk_client(servers.endpoints, fake, polling=Polling(first=0.25, factor=2, longest=8)) as client:
        read(client, SF_ACCOUNT)
        polls = client.polls
        records = read(client, SF_ACCOUNT)
        assert (client.jobs, client.polls - polls) == (2, 1)
    # the first job's totalProcessingTime (10 s) with a margin of a quarter and 0.05 s
    assert fake.sleeps[polls:] == [pytest.approx(12.55)]
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])


def test_a_read_expected_above_the_threshold_skips_the_rest_probe(world, serve) -> None:
    servers = serve(options={"salesforce_job_seconds": 0})
    size = len(world.records[SF_ACCOUNT])
    with salesforce_client(servers.endpoints, bulk_threshold=size - 1) as client:
        records = [r for page in client.iter_pages(SF_ACCOUNT, expected_rows=size) for r in page]
        assert client.last_path == "bulk" and f"{size} records expected" in client.last_path_reason
        # job, its polls, one results page: no REST page
        assert client.api_calls == servers.request_counts()["salesforce"] == 1 + client.polls + 1
        read(client, SF_ACCOUNT)
        assert client.last_path == "bulk" and f"first page reports {size} records" in client.last_path_reason
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])


@pytest.mark.parametrize("fault", ["fail", "abort"])
def test_a_failed_or_aborted_job_is_submitted_again(world, serve, fault) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 0, "clock": fake}, job_script=(fault,))
    with bulk_client(servers.endpoints, fake) as client:
        records = read(client, SF_ACCOUNT)
        assert (client.jobs, client.polls) == (2, 2)
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])


def test_a_job_failing_every_time_fails_naming_the_job_and_salesforces_error(serve) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 0, "clock": fake}, job_script=("fail",) * 3)
    with bulk_client(servers.endpoints, fake, max_attempts=3, api_version="61.0") as client:
        with pytest.raises(ExtractionError) as info:
            read(client, SF_ACCOUNT)
        assert client.jobs == 3
    assert info.value.endpoint == "POST /services/data/v61.0/jobs/query"
    assert re.search(r"gave up after 3 attempts; last: job 750\w{15} Failed: QUERY_TIMEOUT", str(info.value))


def test_a_job_past_the_clients_patience_is_aborted_and_submitted_again(world, serve, caplog) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 1, "clock": fake}, job_script=("stall",))
    with caplog.at_level(logging.WARNING), bulk_client(
        servers.endpoints, fake, polling=Polling(first=1, longest=4, patience=30)
    ) as client:
        records = read(client, SF_ACCOUNT)
        assert client.jobs == 2
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])
    stalled = re.search(r"job (750\w{15}) still InProgress after 30 s; aborted", caplog.text)
    assert stalled is not None
    session = requests.Session()
    session.trust_env, session.verify = False, str(servers.endpoints.salesforce_ca_bundle)
    state = session.get(
        f"https://{servers.endpoints.salesforce_instance_url}/services/data/v59.0/jobs/query/{stalled[1]}",
        headers={"Authorization": f"Bearer {servers.endpoints.salesforce_session_id}"},
        timeout=10,
    ).json()["state"]
    assert state == "Aborted"


@pytest.mark.parametrize("faults", [{"job_script": ("short-page",)}, {"script": (None, None, None, "truncate")}])
def test_a_short_or_truncated_results_page_is_read_again(world, serve, faults, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 0, "clock": fake}, **faults)
    with bulk_client(servers.endpoints, fake, bulk_results_page=200) as client:
        records = read(client, SF_ACCOUNT)
        assert client.api_calls == servers.request_counts()["salesforce"] == 1 + 1 + 1 + 3 + 1
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])
    assert list(tmp_path.glob("lnr-bulk-*")) == []  # the results files, the broken one too, are gone


def test_bulk_calls_update_the_api_usage(serve) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 0, "clock": fake})
    with bulk_client(servers.endpoints, fake, bulk_results_page=100) as client:
        read(client, SF_ACCOUNT)
        assert client.api_usage == (1 + 1 + 1 + 5, 5000)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="api_version must look like 59.0, not 'v59'"):
        SalesforceClient("127.0.0.1:1", session_id="x", api_version="v59")
    with pytest.raises(ValueError, match="bulk_threshold"):
        SalesforceClient("127.0.0.1:1", session_id="x", bulk_threshold=-1)


def test_a_session_expiring_while_a_job_runs_is_renewed_and_the_job_polled_again(world, serve) -> None:
    fake = FakeTime()
    servers = serve(options={"salesforce_job_seconds": 0, "clock": fake}, script=(None, None, "expire-token"))
    with bulk_client(servers.endpoints, fake, oauth=True) as client:
        records = read(client, SF_ACCOUNT)
        assert (client.jobs, client.polls) == (1, 1)
        # login, probe, job, poll refused, login again, poll, results
        assert client.api_calls == servers.request_counts()["salesforce"] == 7
    assert typed(SF_ACCOUNT, records) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])
