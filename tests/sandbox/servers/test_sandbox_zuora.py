"""The sandbox Zuora server over loopback HTTP: tokens, action query and queryMore, errors and limits."""

from __future__ import annotations

import re

import pytest

from tests.fake_time import FakeTime

LOCATOR = re.compile(r"^[0-9a-f]{32}-\d+$")
ALL = "select Id, Name from Subscription"


def test_token_endpoint_issues_bearer_tokens(sandbox) -> None:
    zuora = sandbox({}).zuora
    response = zuora.token_response()
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "jti"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3599)


@pytest.mark.parametrize(
    ("form", "status"),
    [({"client_secret": "wrong"}, 401), ({"client_id": "x" * 36}, 401), ({"grant_type": "password"}, 400)],
)
def test_token_endpoint_refuses_bad_credentials(sandbox, form, status) -> None:
    response = sandbox({}).zuora.token_response(**form)
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False and body["reasons"][0]["code"] in (90000011, 90000020)


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_unknown_bearer_is_an_authentication_error(sandbox, http, token) -> None:
    zuora = sandbox({}).zuora
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http.post(f"{zuora.url}/v1/action/query", json={"queryString": ALL}, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False and isinstance(body["processId"], str)
    assert body["reasons"] == [{"code": 90000011, "message": "Authentication error"}]


def test_tokens_expire_after_their_lifetime(sandbox) -> None:
    clock = FakeTime()
    zuora = sandbox({}, token_ttl=300, clock=clock).zuora
    token = zuora.token()
    clock.advance(299.9)
    assert zuora.query(ALL, token).status_code == 200
    clock.advance(0.2)
    assert zuora.query(ALL, token).status_code == 401
    assert zuora.query(ALL, zuora.token()).status_code == 200


def test_exactly_2000_records_fit_one_page(sandbox, subscriptions) -> None:
    zuora = sandbox({"zuora/Subscription": subscriptions(2000)}).zuora
    page = zuora.query(ALL, zuora.token()).json()
    assert (len(page["records"]), page["size"], page["done"]) == (2000, 2000, True)
    assert "queryLocator" not in page


def test_2001_records_take_a_query_locator(sandbox, subscriptions) -> None:
    zuora = sandbox({"zuora/Subscription": subscriptions(2001)}).zuora
    token = zuora.token()
    first = zuora.query(ALL, token).json()
    assert (len(first["records"]), first["size"], first["done"]) == (2000, 2001, False)
    assert LOCATOR.match(first["queryLocator"]) and first["queryLocator"].endswith("-2000")
    second = zuora.more(first["queryLocator"], token).json()
    assert (len(second["records"]), second["size"], second["done"]) == (1, 2001, True)
    assert "queryLocator" not in second
    ids = {r["Id"] for r in first["records"] + second["records"]}
    assert len(ids) == 2001


def test_batch_size_pages_and_limits(sandbox, subscriptions) -> None:
    zuora = sandbox({"zuora/Subscription": subscriptions(7)}).zuora
    token = zuora.token()
    sizes, page = [], zuora.query(ALL, token, batch=3).json()
    sizes.append(len(page["records"]))
    while not page["done"]:
        page = zuora.more(page["queryLocator"], token).json()
        sizes.append(len(page["records"]))
    assert sizes == [3, 3, 1]
    assert zuora.query(ALL, token, batch=5000).json()["done"] is True
    assert zuora.query(ALL, token, batch=0).status_code == 400


def test_a_locator_can_be_read_again(sandbox, subscriptions) -> None:
    zuora = sandbox({"zuora/Subscription": subscriptions(5)}).zuora
    token = zuora.token()
    locator = zuora.query(ALL, token, batch=2).json()["queryLocator"]
    assert zuora.more(locator, token).json() == zuora.more(locator, token).json()


def test_null_fields_are_left_out_and_values_served_as_in_the_world(sandbox) -> None:
    records = [
        {
            "Id": "1" * 32,
            "Name": "A-S1",
            "Notes": None,
            "TurnOnAutoRenew__c": "Yes",
            "AutoRenew": True,
            "UpdatedDate": "2026-01-15T10:00:00.000-08:00",
            "Region__x": "EU",
        },
        {"Id": "2" * 32, "Name": "A-S2", "Notes": "", "Version": 2},
    ]
    zuora = sandbox({"zuora/Subscription": records}).zuora
    fields = "Id, Notes, TurnOnAutoRenew__c, AutoRenew, UpdatedDate, Version, Region__x"
    page = zuora.query(f"select {fields} from Subscription", zuora.token()).json()
    assert page["records"] == [
        {
            "Id": "1" * 32,
            "TurnOnAutoRenew__c": "Yes",
            "AutoRenew": True,
            "UpdatedDate": "2026-01-15T10:00:00.000-08:00",
            "Region__x": "EU",
        },
        {"Id": "2" * 32, "Version": 2},
    ]


def test_where_compares_datetimes_with_offsets_as_instants(sandbox) -> None:
    records = [
        {"Id": "a" * 32, "UpdatedDate": "2026-11-25T17:00:00.000-08:00", "Version": 1},
        {"Id": "b" * 32, "UpdatedDate": "2026-11-25T15:00:00.000-08:00", "Version": 2},
        {"Id": "c" * 32, "UpdatedDate": "2026-11-26T08:00:00.000+09:00", "Version": 3},
    ]
    zuora = sandbox({"zuora/Subscription": records}).zuora
    token = zuora.token()

    def ids(where: str) -> list[str]:
        page = zuora.query(f"select Id from Subscription where {where}", token).json()
        return [r["Id"][0] for r in page["records"]]

    assert ids("UpdatedDate >= '2026-11-26T00:00:00Z'") == ["a"]
    assert ids("UpdatedDate < '2026-11-26T00:00:00Z' and Version != 3") == ["b"]
    assert ids("(Version = 1 or Version = 3) and UpdatedDate < '2026-11-26T00:00:00Z'") == ["c"]
    assert ids("Notes = null and Version >= 2") == ["b", "c"]


def test_missing_and_empty_world_files_have_no_records(sandbox) -> None:
    zuora = sandbox({"zuora/Account": []}).zuora
    token = zuora.token()
    for obj in ("Account", "Invoice"):
        assert zuora.query(f"select Id from {obj}", token).json() == {"records": [], "size": 0, "done": True}


@pytest.mark.parametrize(
    ("zoql", "code", "message"),
    [
        ("select Id, Foo from Subscription", "INVALID_FIELD", "invalid field for query: Subscription.foo"),
        ("select Id from Payment", "INVALID_TYPE", "invalid type for query: Payment"),
        ("select * from Subscription", "MALFORMED_QUERY", None),
        ("select Id from Subscription where UpdatedDate > 'soon'", "INVALID_VALUE", None),
    ],
)
def test_query_errors(sandbox, zoql, code, message) -> None:
    zuora = sandbox({}).zuora
    response = zuora.query(zoql, zuora.token())
    assert response.status_code == 400
    assert response.json()["faultcode"] == code
    if message:
        assert response.json() == {"faultcode": code, "faultstring": message}


def test_query_body_errors(sandbox, http) -> None:
    zuora = sandbox({}).zuora
    headers = {"Authorization": f"Bearer {zuora.token()}"}
    assert http.post(f"{zuora.url}/v1/action/query", json={}, headers=headers).status_code == 400
    assert http.post(f"{zuora.url}/v1/action/queryMore", json={}, headers=headers).status_code == 400
    assert http.post(f"{zuora.url}/v1/action/nothing", json={}, headers=headers).status_code == 404


def test_locators_expire_after_inactivity(sandbox, subscriptions) -> None:
    clock = FakeTime()
    zuora = sandbox({"zuora/Subscription": subscriptions(5)}, locator_ttl=900, clock=clock).zuora
    token = zuora.token()
    locator = zuora.query(ALL, token, batch=2).json()["queryLocator"]
    clock.advance(899.9)
    assert zuora.more(locator, token).status_code == 200
    clock.advance(900.1)
    response = zuora.more(locator, token)
    assert response.status_code == 400
    assert response.json() == {
        "faultcode": "INVALID_QUERY_LOCATOR",
        "faultstring": f"invalid query locator: {locator}",
    }
    assert zuora.more(f"{'0' * 32}-2", token).status_code == 400


def test_every_response_carries_rate_limit_headers(sandbox, http) -> None:
    zuora = sandbox({}).zuora
    token = zuora.token()
    responses = [
        zuora.token_response(),
        zuora.token_response(client_secret="wrong"),
        zuora.query(ALL, token),
        zuora.query("select Foo from Subscription", token),
        zuora.query(ALL, "bad"),
        http.get(f"{zuora.url}/nowhere"),
    ]
    for response in responses:
        assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(response.headers)
    remaining = [int(r.headers["ratelimit-remaining"]) for r in responses]
    assert remaining == sorted(remaining, reverse=True)
