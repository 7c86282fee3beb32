"""The sandbox's Bulk API 2.0 query jobs, driven by simple-salesforce's `bulk2` and by bare requests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceOperationError

from sandbox.servers import FaultProfile
from tests.fake_time import FakeTime

JOBS = "/services/data/v59.0/jobs/query"


def accounts(count: int, deleted: frozenset[int] = frozenset()) -> list[dict]:
    return [
        {
            "Id": f"001{i:015d}",
            "Name": f'Account "{i}", Zürich\nHQ' if i == 2 else f"Account {i}",
            "IsDeleted": i in deleted,
            "SystemModstamp": "2026-01-15T10:00:00.000+0000",
        }
        for i in range(count)
    ]


def simple_salesforce(endpoints) -> Salesforce:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(endpoints.salesforce_ca_bundle)
    return Salesforce(
        instance=endpoints.salesforce_instance_url, session_id=endpoints.salesforce_session_id, session=session
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_simple_salesforce_bulk2_query_all_pages_through_every_row_deleted_ones_included(sandbox) -> None:
    served = sandbox({"salesforce/Account": accounts(450, deleted=frozenset({1, 3}))}, salesforce_job_seconds=0)
    sf = simple_salesforce(served.endpoints)
    pages = list(sf.bulk2.Account.query_all("SELECT Id, Name, IsDeleted FROM Account", max_records=200, wait=0))
    assert [len(rows(p)) for p in pages] == [200, 200, 50]
    every = [r for p in pages for r in rows(p)]
    assert [r["Id"] for r in every] == [a["Id"] for a in accounts(450)]
    assert sum(r["IsDeleted"] == "true" for r in every) == 2
    assert every[2]["Name"] == 'Account "2", Zürich\nHQ'
    live = [r for p in sf.bulk2.Account.query("SELECT Id, IsDeleted FROM Account", wait=0) for r in rows(p)]
    assert len(live) == 448 and {r["IsDeleted"] for r in live} == {"false"}


def test_simple_salesforce_bulk2_download_writes_one_file_per_page(sandbox, tmp_path: Path) -> None:
    served = sandbox({"salesforce/Account": accounts(250)}, salesforce_job_seconds=0)
    sf = simple_salesforce(served.endpoints)
    results = sf.bulk2.Account.download("SELECT Id FROM Account", str(tmp_path), max_records=100, wait=0)
    assert [r["number_of_records"] for r in results] == [100, 100, 50]
    assert results[-1]["locator"] == ""
    ids = [row["Id"] for r in results for row in rows(Path(r["file"]).read_text(encoding="utf-8"))]
    assert ids == [a["Id"] for a in accounts(250)]


def test_simple_salesforce_bulk2_reports_a_failed_job_and_an_invalid_field(sandbox) -> None:
    served = sandbox(
        {"salesforce/Account": accounts(3)}, FaultProfile(job_script=("fail",)), salesforce_job_seconds=0
    )
    sf = simple_salesforce(served.endpoints)
    with pytest.raises(SalesforceOperationError, match="QUERY_TIMEOUT"):
        list(sf.bulk2.Account.query_all("SELECT Id FROM Account", wait=0))
    assert len(rows(next(sf.bulk2.Account.query_all("SELECT Id FROM Account", wait=0)))) == 3
    with pytest.raises(SalesforceMalformedRequest, match="INVALID_FIELD"):
        list(sf.bulk2.Account.query_all("SELECT Nope FROM Account", wait=0))


def test_job_states_advance_with_the_clock_and_results_wait_for_completion(sandbox) -> None:
    clock = FakeTime()
    served = sandbox({"salesforce/Account": accounts(3)}, salesforce_job_seconds=10, clock=clock)
    api = served.salesforce
    created = api.session.post(
        f"{api.base}{JOBS}",
        json={"operation": "queryAll", "query": "SELECT Id FROM Account"},
        headers={"Authorization": f"Bearer {served.endpoints.salesforce_session_id}"},
        timeout=10,
    ).json()
    assert created["state"] == "UploadComplete" and created["id"].startswith("750") and len(created["id"]) == 18
    job = f"{JOBS}/{created['id']}"
    states = []
    for now in (1.0, 6.0, 10.0):
        clock.now = now
        states.append(api.get(job).json()["state"])
        if now == 6.0:
            early = api.get(f"{job}/results")
            assert early.status_code == 400 and early.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    assert states == ["UploadComplete", "InProgress", "JobComplete"]
    assert api.get(job).json()["numberRecordsProcessed"] == 3


def test_results_carry_the_record_count_and_a_locator_that_is_null_on_the_last_page(sandbox) -> None:
    served = sandbox({"salesforce/Account": accounts(5)}, salesforce_job_seconds=0)
    api = served.salesforce
    job = served.salesforce.session.post(
        f"{api.base}{JOBS}",
        json={"operation": "query", "query": "SELECT Id, Name FROM Account"},
        headers={"Authorization": f"Bearer {served.endpoints.salesforce_session_id}"},
        timeout=10,
    ).json()["id"]
    first = api.get(f"{JOBS}/{job}/results", params={"maxRecords": 3})
    assert first.headers["Sforce-NumberOfRecords"] == "3" and first.headers["Sforce-Locator"] != "null"
    assert first.text.splitlines()[0] == '"Id","Name"'
    last = api.get(f"{JOBS}/{job}/results", params={"maxRecords": 3, "locator": first.headers["Sforce-Locator"]})
    assert last.headers["Sforce-NumberOfRecords"] == "2" and last.headers["Sforce-Locator"] == "null"
    assert [r["Id"] for r in rows(first.text) + rows(last.text)] == [a["Id"] for a in accounts(5)]
    assert api.get(f"{JOBS}/{job}/results", params={"locator": "bm9wZQ"}).status_code == 400


def test_seeded_job_faults_abort_stall_and_a_short_page(sandbox) -> None:
    clock = FakeTime()
    faults = FaultProfile(job_script=("abort", "stall", "short-page"))
    served = sandbox({"salesforce/Account": accounts(10)}, faults, salesforce_job_seconds=1, clock=clock)
    client = simple_salesforce(served.endpoints).bulk2.Account._client
    aborted, stalled, short = (client.create_job("queryAll", "SELECT Id FROM Account")["id"] for _ in range(3))
    clock.now = 3600.0
    assert client.get_job(aborted, True)["state"] == "Aborted"
    assert client.get_job(stalled, True)["state"] == "InProgress"
    assert client.abort_job(stalled, True)["state"] == "Aborted"
    page = client.get_query_results(short, "", 10)
    assert page["number_of_records"] == 10 and len(rows(page["records"])) == 5
    assert len(rows(client.get_query_results(short, "", 10)["records"])) == 10
    assert served.servers.request_counts()["salesforce"] == 3 + 2 + 1 + 2


def test_bulk_calls_count_against_the_api_allowance(sandbox) -> None:
    served = sandbox({"salesforce/Account": accounts(5)}, salesforce_job_seconds=0, salesforce_api_limit=3)
    client = simple_salesforce(served.endpoints).bulk2.Account._client
    job = client.create_job("queryAll", "SELECT Id FROM Account")["id"]
    client.get_job(job, True)
    response = served.salesforce.get(f"{JOBS}/{job}/results")
    assert response.headers["Sforce-Limit-Info"] == "api-usage=3/3"
    refused = served.salesforce.get(f"{JOBS}/{job}")
    assert refused.status_code == 403 and refused.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_a_deleted_job_is_gone(sandbox) -> None:
    served = sandbox({"salesforce/Account": accounts(1)}, salesforce_job_seconds=0)
    client = simple_salesforce(served.endpoints).bulk2.Account._client
    job = client.create_job("queryAll", "SELECT Id FROM Account")["id"]
    deleted = served.salesforce.session.delete(
        f"{served.salesforce.base}{JOBS}/{job}",
        headers={"Authorization": f"Bearer {served.endpoints.salesforce_session_id}"},
        timeout=10,
    )
    assert deleted.status_code == 204 and served.salesforce.get(f"{JOBS}/{job}").status_code == 404
