"""The sandbox Zuora server's Data Query, driven by Zuora's own SDK and by bare HTTP."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

import pytest

from sandbox.servers import FaultProfile, JobFault
from tests.fake_time import FakeTime

if TYPE_CHECKING:
    from zuora_sdk import DataQueriesApi

# The SDK's import takes seconds of CPU (some 1,700 models): it happens in the tests, on one worker.
pytestmark = [
    pytest.mark.slow,  # Zuora's SDK takes seconds to import
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.xdist_group("zuora_sdk"),
]

SELECT = "SELECT id, name, autorenew, termstartdate, updateddate FROM subscription WHERE version >= 1 ORDER BY id"


def subscriptions(count: int) -> list[dict]:
    """Subscriptions with a watermark, a date and a boolean; every third without a name."""
    return [
        {
            "Id": f"{i:032x}",
            "Version": 1 + i % 2,
            "AutoRenew": i % 2 == 0,
            "TermStartDate": "2026-01-31",
            "UpdatedDate": f"2026-11-0{1 + i % 5}T10:00:00.000-08:00",
            **({"Name": f"A-S{i:08d}"} if i % 3 else {}),
        }
        for i in range(count)
    ]


def sdk(endpoints) -> tuple[DataQueriesApi, str]:
    """Zuora's Data Query API client of the sandbox, and a bearer token."""
    from zuora_sdk import ApiClient, Configuration, DataQueriesApi, OAuthApi

    client = ApiClient(Configuration(host=endpoints.zuora_url))
    token = OAuthApi(client).create_token(
        client_id=endpoints.zuora_client_id,
        client_secret=endpoints.zuora_client_secret,
        grant_type="client_credentials",
    )
    return DataQueriesApi(client), f"Bearer {token.access_token}"


def submit(api: DataQueriesApi, bearer: str, query: str, **options) -> str:
    """Submit a gzip JSON-lines job through the SDK; its id, once Zuora's answer says it was accepted."""
    from zuora_sdk import SubmitDataQueryRequest

    body = SubmitDataQueryRequest(query=query, output_format="JSON", compression="GZIP", **options)
    job = api.post_data_query_job(body, authorization=bearer, zuora_track_id="lnr-audit-test").data
    assert job.query_status == "accepted" and len(job.id) == 36
    return job.id


def wait(api: DataQueriesApi, bearer: str, job_id: str, clock: FakeTime) -> tuple[list[str], object]:
    """The states a job showed while polled every 0.05 s of the sandbox's `clock`, and the job once finished."""
    states = []
    while True:
        job = api.get_data_query_job(job_id, authorization=bearer).data
        states.append(job.query_status)
        if job.query_status in ("completed", "failed", "cancelled"):
            return states, job
        clock.advance(0.05)


def test_zuora_sdk_runs_a_data_query_whose_states_advance_and_whose_file_needs_no_token(sandbox, http) -> None:
    records = subscriptions(30)
    clock = FakeTime()
    box = sandbox({"zuora/Subscription": records}, zuora_job_seconds=0.4, clock=clock)
    api, bearer = sdk(box.endpoints)
    states, job = wait(api, bearer, submit(api, bearer, SELECT), clock)
    # submitted as accepted (see `submit`), then in progress for a while, then completed
    assert set(states[:-1]) <= {"accepted", "in_progress"} and "in_progress" in states and states[-1] == "completed"
    expected = [r for r in records if r["Version"] >= 1]
    assert job.output_rows == len(expected) and job.processing_time >= 400
    assert http.get(job.data_file, headers={"Authorization": bearer}).status_code == 400
    lines = gzip.decompress(http.get(job.data_file).content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == sorted(r["Id"] for r in expected)
    first = rows[0]
    assert first == {
        "id": f"{0:032x}",
        "name": None,
        "autorenew": True,
        "termstartdate": "2026-01-31",
        "updateddate": "2026-11-01 18:00:00",
    }


def test_read_deleted_returns_only_the_records_deleted_since_an_earlier_world(sandbox, make_world, http) -> None:
    records = subscriptions(10)
    clock = FakeTime()
    box = sandbox({"zuora/Subscription": records}, zuora_job_seconds=0.0, clock=clock)
    box.servers.load_world(make_world({"zuora/Subscription": records[:7]}, name="next"))
    box.servers.load_world(make_world({"zuora/Subscription": records[:6]}, name="after"))
    api, bearer = sdk(box.endpoints)
    _, job = wait(api, bearer, submit(api, bearer, "SELECT id FROM subscription ORDER BY id", read_deleted=True), clock)
    rows = [json.loads(line) for line in gzip.decompress(http.get(job.data_file).content).decode().splitlines()]
    assert [r["id"] for r in rows] == [r["Id"] for r in records[6:]]
    _, live = wait(api, bearer, submit(api, bearer, "SELECT count(*) AS n FROM subscription"), clock)
    assert json.loads(gzip.decompress(http.get(live.data_file).content)) == {"n": 6}


def test_a_running_job_is_cancelled_and_a_failing_statement_reports_its_error(sandbox, http) -> None:
    clock = FakeTime()
    box = sandbox({"zuora/Subscription": subscriptions(3)}, zuora_job_seconds=0.4, clock=clock)
    api, bearer = sdk(box.endpoints)
    # the SDK's cancel insists on 64-character ids where its other calls take Zuora's 36: cancel by bare HTTP
    job_id = submit(api, bearer, SELECT)
    cancelled = http.delete(f"{box.endpoints.zuora_url}/query/jobs/{job_id}", headers={"Authorization": bearer})
    assert cancelled.json()["data"]["queryStatus"] == "cancelled"
    assert api.get_data_query_job(job_id, authorization=bearer).data.query_status == "cancelled"
    states, failed = wait(api, bearer, submit(api, bearer, "SELECT nope FROM subscription"), clock)
    assert failed.query_status == "failed"
    assert "nope" in failed.additional_properties["errorMessage"]
    _, refused = wait(api, bearer, submit(api, bearer, "SELECT 1; SELECT 2"), clock)
    assert refused.additional_properties["errorMessage"] == "Only one read-only SELECT statement is supported"


def test_bare_http_rules_content_type_concurrency_and_expired_urls(sandbox, http) -> None:
    faults = FaultProfile(job_script=(JobFault.EXPIRED_URL,))
    clock = FakeTime()
    box = sandbox(
        {"zuora/Subscription": subscriptions(3)}, faults, zuora_job_seconds=0.3, zuora_max_running_jobs=1, clock=clock
    )
    url = f"{box.endpoints.zuora_url}/query/jobs"
    headers = {"Authorization": f"Bearer {box.zuora.token()}"}
    body = {"query": "SELECT id FROM subscription", "outputFormat": "JSON", "compression": "GZIP"}
    as_form = http.post(url, content=json.dumps(body), headers={**headers, "Content-Type": "text/plain"})
    assert (as_form.status_code, as_form.json()) == (415, {"code": 415, "message": "HTTP 415 Unsupported Media Type"})
    keyed = {**headers, "Idempotency-Key": "night-1-subscription"}
    job = http.post(url, json=body, headers=keyed).json()["data"]
    assert http.post(url, json=body, headers=keyed).json()["data"]["id"] == job["id"]
    second = http.post(url, json=body, headers=headers)
    assert second.status_code == 429 and "at most 1" in second.json()["message"]
    clock.advance(0.35)
    while (done := http.get(f"{url}/{job['id']}", headers=headers).json()["data"])["queryStatus"] != "completed":
        assert done["queryStatus"] == "in_progress"  # its statement still running
    expired = done["dataFile"]
    assert http.get(expired).status_code == 403 and "Request has expired" in http.get(expired).text
    fresh = http.get(f"{url}/{job['id']}", headers=headers).json()["data"]["dataFile"]
    assert http.get(fresh).status_code == 200
    assert http.get(fresh.replace("X-Amz-Signature=", "X-Amz-Signature=0")).status_code == 403
