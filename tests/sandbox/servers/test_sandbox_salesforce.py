"""The sandbox Salesforce server over loopback HTTPS, with requests and with simple-salesforce."""

from __future__ import annotations

import base64
import re
from collections.abc import Collection

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceMalformedRequest

NEXT = re.compile(r"^/services/data/v59\.0/query/01g[A-Za-z0-9]{15}-\d+$")


def accounts(count: int, deleted: Collection[int] = ()) -> list[dict]:
    return [
        {
            "Id": f"001{i:015d}",
            "Name": f"Account {i}",
            "IsDeleted": i in deleted,
            "SystemModstamp": "2026-01-15T10:00:00.000+0000",
        }
        for i in range(count)
    ]


OPPORTUNITIES = [
    {
        "Id": "006000000000000001",
        "Name": "one",
        "Amount": 1200.5,
        "CloseDate": "2026-11-20",
        "Web_Portal_Purchase__c": True,
        "IsDeleted": False,
        "SystemModstamp": "2026-11-26T00:30:00.000+0100",
    },
    {
        "Id": "006000000000000002",
        "Name": "two",
        "Amount": None,
        "CloseDate": "2026-12-01",
        "Web_Portal_Purchase__c": False,
        "IsDeleted": False,
        "SystemModstamp": "2026-11-26T00:30:00.000+0000",
    },
    {
        "Id": "006000000000000003",
        "Name": "three",
        "Amount": 99,
        "IsDeleted": True,
        "SystemModstamp": "2026-11-27T08:00:00.000+0000",
    },
]


def test_query_hides_deleted_rows_and_query_all_shows_them(sandbox) -> None:
    salesforce = sandbox({"salesforce/Account": accounts(5, deleted={1, 3})}).salesforce
    live = salesforce.query("SELECT Id, IsDeleted FROM Account").json()
    every = salesforce.query("SELECT Id, IsDeleted FROM Account", deleted=True).json()
    assert live["totalSize"] == 3 and {r["IsDeleted"] for r in live["records"]} == {False}
    assert every["totalSize"] == 5 and sum(r["IsDeleted"] for r in every["records"]) == 2


def test_records_carry_attributes_nulls_and_only_the_selected_fields(sandbox) -> None:
    salesforce = sandbox({"salesforce/Opportunity": OPPORTUNITIES}).salesforce
    body = salesforce.query("SELECT Id, Amount, AccountId FROM Opportunity").json()
    assert body == {
        "totalSize": 2,
        "done": True,
        "records": [
            {
                "attributes": {
                    "type": "Opportunity",
                    "url": "/services/data/v59.0/sobjects/Opportunity/006000000000000001",
                },
                "Id": "006000000000000001",
                "Amount": 1200.5,
                "AccountId": None,
            },
            {
                "attributes": {
                    "type": "Opportunity",
                    "url": "/services/data/v59.0/sobjects/Opportunity/006000000000000002",
                },
                "Id": "006000000000000002",
                "Amount": None,
                "AccountId": None,
            },
        ],
    }
    assert '"Amount":1200.5' in salesforce.query("SELECT Amount FROM Opportunity").text


def test_batch_size_header_pages_with_next_records_url(sandbox) -> None:
    salesforce = sandbox({"salesforce/Account": accounts(450)}).salesforce
    page = salesforce.query("SELECT Id FROM Account", batch=200).json()
    sizes = [len(page["records"])]
    while not page["done"]:
        assert NEXT.match(page["nextRecordsUrl"])
        page = salesforce.get(page["nextRecordsUrl"]).json()
        sizes.append(len(page["records"]))
    assert sizes == [200, 200, 50] and page["totalSize"] == 450 and "nextRecordsUrl" not in page
    assert len(salesforce.query("SELECT Id FROM Account", batch=50).json()["records"]) == 200
    assert len(salesforce.query("SELECT Id FROM Account", batch=9000).json()["records"]) == 450


def test_default_batch_is_2000(sandbox) -> None:
    salesforce = sandbox({"salesforce/Account": accounts(2001)}).salesforce
    first = salesforce.query("SELECT Id FROM Account").json()
    assert (len(first["records"]), first["totalSize"], first["done"]) == (2000, 2001, False)
    assert first["nextRecordsUrl"].endswith("-2000")
    second = salesforce.get(first["nextRecordsUrl"]).json()
    assert (len(second["records"]), second["done"]) == (1, True)


def test_any_api_version_and_query_all_paging(sandbox) -> None:
    salesforce = sandbox({"salesforce/Account": accounts(300, deleted={0})}).salesforce
    headers = {"Sforce-Query-Options": "batchSize=200"}
    params = {"q": "SELECT Id FROM Account"}
    page = salesforce.get("/services/data/v61.0/queryAll", params=params, headers=headers).json()
    assert page["nextRecordsUrl"].startswith("/services/data/v61.0/queryAll/01g")
    rest = salesforce.get(page["nextRecordsUrl"]).json()
    assert len(page["records"]) + len(rest["records"]) == 300
    assert rest["records"][0]["attributes"]["url"].startswith("/services/data/v61.0/sobjects/Account/")


def test_count_order_by_and_limit(sandbox) -> None:
    salesforce = sandbox({"salesforce/Opportunity": OPPORTUNITIES}).salesforce
    assert salesforce.query("SELECT COUNT() FROM Opportunity").json() == {
        "totalSize": 2,
        "done": True,
        "records": [],
    }
    assert salesforce.query("SELECT COUNT() FROM Opportunity", deleted=True).json()["totalSize"] == 3

    def names(soql: str) -> list[str]:
        return [r["Name"] for r in salesforce.query(soql, deleted=True).json()["records"]]

    assert names("SELECT Name FROM Opportunity ORDER BY Amount") == ["two", "three", "one"]
    assert names("SELECT Name FROM Opportunity ORDER BY Amount DESC") == ["one", "three", "two"]
    assert names("SELECT Name FROM Opportunity ORDER BY CloseDate DESC LIMIT 2") == ["two", "one"]


def test_where_on_datetimes_dates_booleans_and_nulls(sandbox) -> None:
    salesforce = sandbox({"salesforce/Opportunity": OPPORTUNITIES}).salesforce

    def names(where: str) -> list[str]:
        body = salesforce.query(f"SELECT Name FROM Opportunity WHERE {where}", deleted=True).json()
        return [r["Name"] for r in body["records"]]

    assert names("SystemModstamp >= 2026-11-26T00:00:00Z") == ["two", "three"]
    assert names("SystemModstamp < 2026-11-26T00:00:00.000+0000") == ["one"]
    assert names("CloseDate < 2026-12-01 OR (Amount = null AND Web_Portal_Purchase__c = false)") == [
        "one",
        "two",
    ]
    assert names("Amount > 100 AND IsDeleted = false") == ["one"]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id, Foo__c FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE SystemModstamp > '2026-11-26T00:00:00Z'", "INVALID_FIELD"),
        ("SELECT Id FROM Lead", "INVALID_TYPE"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
        ("SELECT FROM Account", "MALFORMED_QUERY"),
    ],
)
def test_query_errors_are_json_lists(sandbox, soql, code) -> None:
    response = sandbox({}).salesforce.query(soql)
    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code and error["message"]


def test_invalid_session_and_missing_query(sandbox) -> None:
    salesforce = sandbox({}).salesforce
    response = salesforce.get(
        "/services/data/v59.0/query/", session_id="00Dbad", params={"q": "SELECT Id FROM Account"}
    )
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert salesforce.get("/services/data/v59.0/query/").json()[0]["errorCode"] == "MALFORMED_QUERY"
    assert salesforce.get("/services/data/v59.0/query/01gAAAAAAAAAAAAAAA-200").json()[0]["errorCode"] == (
        "INVALID_QUERY_LOCATOR"
    )
    assert salesforce.get("/services/data/v59.0/sobjects/").json()[0]["errorCode"] == "NOT_FOUND"


def test_api_usage_is_reported_and_limited(sandbox, make_world) -> None:
    running = sandbox({"salesforce/Account": accounts(1)}, salesforce_api_limit=2)
    salesforce = running.salesforce
    usage = [salesforce.query("SELECT Id FROM Account").headers["Sforce-Limit-Info"] for _ in range(2)]
    assert usage == ["api-usage=1/2", "api-usage=2/2"]
    refused = salesforce.query("SELECT Id FROM Account")
    assert refused.status_code == 403
    assert refused.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert "Sforce-Limit-Info" in salesforce.get("/services/data/v59.0/query/", session_id="bad").headers
    running.servers.load_world(make_world({}, name="next-day"))
    assert salesforce.query("SELECT Id FROM Account").status_code == 200


def test_token_endpoint_client_credentials(sandbox) -> None:
    running = sandbox({"salesforce/Account": accounts(1)})
    salesforce, endpoints = running.salesforce, running.endpoints
    url = f"{salesforce.base}/services/oauth2/token"
    basic = base64.b64encode(
        f"{endpoints.salesforce_consumer_key}:{endpoints.salesforce_consumer_secret}".encode()
    )
    by_header = salesforce.session.post(
        url, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic.decode()}"}
    )
    by_form = salesforce.session.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": endpoints.salesforce_consumer_key,
            "client_secret": endpoints.salesforce_consumer_secret,
        },
    )
    for response in (by_header, by_form):
        body = response.json()
        assert response.status_code == 200
        assert set(body) == {"access_token", "instance_url", "token_type", "issued_at", "signature"}
        assert body["instance_url"] == f"https://{endpoints.salesforce_instance_url}"
        assert body["token_type"] == "Bearer"
        query = salesforce.get(
            "/services/data/v59.0/query/", body["access_token"], params={"q": "SELECT Id FROM Account"}
        )
        assert query.status_code == 200
    wrong = salesforce.session.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": endpoints.salesforce_consumer_key,
            "client_secret": "x",
        },
    )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_client")
    assert (
        salesforce.session.post(url, data={"grant_type": "password"}).json()["error"]
        == "unsupported_grant_type"
    )


def test_the_server_speaks_tls_with_the_throwaway_ca_only(sandbox) -> None:
    endpoints = sandbox({}).endpoints
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"https://{endpoints.salesforce_instance_url}/services/data/v59.0/query/", timeout=5)
    assert endpoints.salesforce_ca_bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_simple_salesforce_reads_the_sandbox_like_salesforce(sandbox) -> None:
    endpoints = sandbox({"salesforce/Account": accounts(2300, deleted={5, 2299})}).endpoints
    session = requests.Session()
    session.trust_env = False
    session.verify = str(endpoints.salesforce_ca_bundle)
    sf = Salesforce(
        instance=endpoints.salesforce_instance_url,
        session_id=endpoints.salesforce_session_id,
        session=session,
    )
    headers = {"Sforce-Query-Options": "batchSize=500"}
    live = list(sf.query_all_iter("SELECT Id, Name, MasterRecordId FROM Account", headers=headers))
    assert len(live) == 2298 and live[0]["MasterRecordId"] is None
    assert live[0]["attributes"]["type"] == "Account"
    every = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)
    assert every["totalSize"] == 2300 and sum(r["IsDeleted"] for r in every["records"]) == 2
    assert sf.api_usage["api-usage"].total == 5000
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Nope FROM Account")
    expired = Salesforce(instance=endpoints.salesforce_instance_url, session_id="00Dgone", session=session)
    with pytest.raises(SalesforceExpiredSession):
        expired.query("SELECT Id FROM Account")
