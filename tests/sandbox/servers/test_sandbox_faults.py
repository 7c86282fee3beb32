"""Fault injection: the profile, the seeded draw, and each fault class as clients see it on the wire."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
import requests

from sandbox.servers import Fault, FaultProfile
from sandbox.servers.faults import FaultInjector

ALL = "select Id, Name from Subscription"


def draws(injector: FaultInjector, count: int, **kinds: bool) -> list[Fault | None]:
    return [injector.draw(**kinds) for _ in range(count)]


@pytest.mark.parametrize(
    "options",
    [
        {"rate_500": 1.5},
        {"rate_429": 0.6, "rate_503": 0.6},
        {"retry_after": -1},
        {"systems": ("zuora", "netsuite")},
        {"script": ("teapot",)},
    ],
)
def test_profiles_are_checked(options) -> None:
    with pytest.raises(ValueError):
        FaultProfile(**options)


def test_the_same_seed_draws_the_same_faults() -> None:
    profile = FaultProfile(seed=11, rate_429=0.2, rate_500=0.2, rate_drop=0.1, rate_truncate=0.1)
    first = draws(FaultInjector(profile, "zuora"), 200)
    assert first == draws(FaultInjector(profile, "zuora"), 200)
    assert first != draws(FaultInjector(FaultProfile(**{**profile.__dict__, "seed": 12}), "zuora"), 200)
    assert first != draws(FaultInjector(profile, "salesforce"), 200)
    assert {Fault.TOO_MANY_REQUESTS, Fault.SERVER_ERROR, Fault.DROP, Fault.TRUNCATE, None} == set(first)


def test_the_script_comes_first_then_the_periodic_expiries() -> None:
    profile = FaultProfile(script=(None, "429", Fault.DROP), expire_token_every=2, expire_locator_every=3)
    injector = FaultInjector(profile, "zuora")
    assert draws(injector, 3) == [None, Fault.TOO_MANY_REQUESTS, Fault.DROP]
    assert draws(injector, 3) == [Fault.EXPIRE_TOKEN, None, Fault.EXPIRE_TOKEN]
    assert draws(injector, 3, continuation=True) == [None, Fault.EXPIRE_TOKEN, Fault.EXPIRE_LOCATOR]


def test_token_requests_and_other_systems_are_spared_unless_asked() -> None:
    profile = FaultProfile(rate_503=1.0, systems=("zuora",))
    assert draws(FaultInjector(profile, "zuora"), 2, token=True) == [None, None]
    assert draws(FaultInjector(profile, "customersdot"), 2) == [None, None]
    with_tokens = FaultProfile(script=("expire-token", "503"), token_requests=True)
    assert draws(FaultInjector(with_tokens, "zuora"), 2, token=True) == [None, Fault.UNAVAILABLE]


def test_expire_locator_only_hits_continuations() -> None:
    injector = FaultInjector(FaultProfile(script=("expire-locator", "expire-locator")), "zuora")
    assert [injector.draw(), injector.draw(continuation=True)] == [None, Fault.EXPIRE_LOCATOR]


def test_bare_429s_only_where_the_system_omits_retry_after() -> None:
    profile = FaultProfile(rate_429=1.0, bare_429_share=1.0)
    assert set(draws(FaultInjector(profile, "customersdot", bare_429=True), 5)) == {
        Fault.TOO_MANY_REQUESTS_BARE
    }
    assert set(draws(FaultInjector(profile, "zuora"), 5)) == {Fault.TOO_MANY_REQUESTS}


def test_zuora_429_on_the_third_data_request(sandbox, subscriptions) -> None:
    zuora = sandbox(
        {"zuora/Subscription": subscriptions(3)}, FaultProfile(script=(None, None, "429"), retry_after=0)
    ).zuora
    token = zuora.token()
    statuses = [zuora.query(ALL, token) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 429, 200]
    limited = statuses[2]
    assert limited.headers["Retry-After"] == "0" and limited.headers["ratelimit-remaining"] == "0"
    assert limited.json()["reasons"][0]["code"] == 90000070


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_in_each_systems_shape(sandbox, subscriptions, status) -> None:
    running = sandbox({}, FaultProfile(script=(str(status),)))
    zuora = running.zuora.query(ALL, running.zuora.token())
    salesforce = running.salesforce.query("SELECT Id FROM Account")
    assert zuora.status_code == salesforce.status_code == status
    assert zuora.json()["success"] is False
    assert salesforce.json()[0]["errorCode"] in ("UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE")


def test_a_dropped_connection_gets_no_response(sandbox) -> None:
    running = sandbox({}, FaultProfile(script=("drop",)))
    token = running.zuora.token()
    with pytest.raises(httpx.RemoteProtocolError):
        running.zuora.query(ALL, token)
    assert running.zuora.query(ALL, token).status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        running.salesforce.query("SELECT Id FROM Account")
    assert running.salesforce.query("SELECT Id FROM Account").status_code == 200


def test_a_truncated_body_is_cut_short_and_the_connection_closed(sandbox, subscriptions) -> None:
    running = sandbox(
        {"zuora/Subscription": subscriptions(50)}, FaultProfile(script=("truncate", "truncate"))
    )
    token = running.zuora.token()
    host, port = running.endpoints.zuora_url.removeprefix("http://").split(":")
    body = f'{{"queryString": "{ALL}"}}'.encode()
    request = (
        f"POST /v1/action/query HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(request)
        received = b""
        while chunk := raw.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
    )
    assert 0 < len(payload) < length
    with pytest.raises(httpx.RemoteProtocolError):
        running.zuora.query(ALL, token).read()
    assert running.zuora.query(ALL, token).json()["size"] == 50


def test_a_truncated_salesforce_page_breaks_the_read_over_tls(sandbox) -> None:
    accounts = [{"Id": f"001{i:015d}"} for i in range(300)]
    salesforce = sandbox({"salesforce/Account": accounts}, FaultProfile(script=("truncate",))).salesforce
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        salesforce.query("SELECT Id FROM Account")
    assert salesforce.query("SELECT Id FROM Account").json()["totalSize"] == 300


def test_a_slow_response_outlasts_the_client_timeout_and_never_blocks_stop(sandbox) -> None:
    running = sandbox({}, FaultProfile(script=("slow",), slow_seconds=30))
    token = running.zuora.token()
    with httpx.Client(trust_env=False, timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        url, bearer = f"{running.endpoints.zuora_url}/v1/action/query", {"Authorization": f"Bearer {token}"}
        client.post(url, json={"queryString": ALL}, headers=bearer)
    started = time.monotonic()
    running.servers.stop()
    assert time.monotonic() - started < 2


def test_slow_responses_still_arrive(sandbox) -> None:
    zuora = sandbox({}, FaultProfile(script=("slow",), slow_seconds=0.2)).zuora
    token = zuora.token()
    started = time.monotonic()
    assert zuora.query(ALL, token).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_zuora_token_expires_mid_pagination(sandbox, subscriptions) -> None:
    zuora = sandbox({"zuora/Subscription": subscriptions(5)}, FaultProfile(expire_token_every=2)).zuora
    token = zuora.token()
    first = zuora.query(ALL, token, batch=2).json()
    expired = zuora.more(first["queryLocator"], token)
    assert expired.status_code == 401 and expired.json()["reasons"][0]["code"] == 90000011
    assert zuora.more(first["queryLocator"], token).status_code == 401
    fresh = zuora.token()
    assert zuora.more(first["queryLocator"], fresh).json()["records"]


def test_salesforce_session_expires_and_a_new_one_works(sandbox) -> None:
    running = sandbox({}, FaultProfile(script=(None, "expire-token")))
    salesforce, endpoints = running.salesforce, running.endpoints
    assert salesforce.query("SELECT Id FROM Account").status_code == 200
    expired = salesforce.query("SELECT Id FROM Account")
    assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert salesforce.query("SELECT Id FROM Account").status_code == 401
    token = salesforce.session.post(
        f"{salesforce.base}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": endpoints.salesforce_consumer_key,
            "client_secret": endpoints.salesforce_consumer_secret,
        },
    ).json()["access_token"]
    assert salesforce.get("/services/data/v59.0/query/", token, params={"q": "SELECT Id FROM Account"}).ok


def test_zuora_locator_expires_and_the_query_restarts(sandbox, subscriptions) -> None:
    zuora = sandbox({"zuora/Subscription": subscriptions(5)}, FaultProfile(expire_locator_every=2)).zuora
    token = zuora.token()
    first = zuora.query(ALL, token, batch=2).json()
    assert zuora.more(first["queryLocator"], token).status_code == 200
    gone = zuora.more(first["queryLocator"], token)
    assert (gone.status_code, gone.json()["faultcode"]) == (400, "INVALID_QUERY_LOCATOR")
    restarted = zuora.query(ALL, token, batch=2).json()
    assert zuora.more(restarted["queryLocator"], token).status_code == 200


def test_salesforce_cursor_expires(sandbox) -> None:
    accounts = [{"Id": f"001{i:015d}"} for i in range(300)]
    salesforce = sandbox(
        {"salesforce/Account": accounts}, FaultProfile(script=(None, "expire-locator"))
    ).salesforce
    page = salesforce.query("SELECT Id FROM Account", batch=200).json()
    gone = salesforce.get(page["nextRecordsUrl"])
    assert (gone.status_code, gone.json()[0]["errorCode"]) == (400, "INVALID_QUERY_LOCATOR")


def test_token_endpoint_faults_only_when_asked(sandbox) -> None:
    spared = sandbox({}, FaultProfile(rate_503=1.0)).zuora
    assert spared.token_response().status_code == 200
    hit = sandbox({}, FaultProfile(script=("503",), token_requests=True)).zuora
    assert hit.token_response().status_code == 503
    assert hit.token_response().status_code == 200


def test_random_faults_repeat_with_the_seed(sandbox) -> None:
    def statuses() -> list[int]:
        zuora = sandbox({}, FaultProfile(seed=5, rate_500=0.3, rate_429=0.2)).zuora
        token = zuora.token()
        return [zuora.query(ALL, token).status_code for _ in range(30)]

    first = statuses()
    assert first == statuses() and {200, 429, 500} == set(first)
