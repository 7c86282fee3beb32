"""Zuora specifics: the cached OAuth token, its renewal, and query locators that expire."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from connector_worlds import ZUORA_ACCOUNT, ZUORA_SUBSCRIPTION, build_world, typed, zuora_client

from connectors.errors import AuthenticationError, ExtractionError
from connectors.schema import Field, FieldType, source_object
from tests.fake_time import FakeTime


def test_one_token_serves_many_requests(endpoints) -> None:
    with zuora_client(endpoints, page_size=10) as client:
        assert client.count(ZUORA_ACCOUNT) == 7
        assert client.count(ZUORA_SUBSCRIPTION) == 45
        assert sum(len(p) for p in client.iter_pages(ZUORA_ACCOUNT)) == 7
        assert client.api_calls == 4


def test_the_token_is_renewed_before_it_expires(serve) -> None:
    clock = FakeTime()
    servers = serve(options={"token_ttl": 2.0, "clock": clock})
    with zuora_client(servers.endpoints, clock=clock) as client:
        client.count(ZUORA_ACCOUNT)
        clock.advance(0.9)  # within the first half of its lifetime: kept
        client.count(ZUORA_ACCOUNT)
        assert client.api_calls == 3
        clock.advance(0.2)  # past half of its lifetime: renewed though the server would still take it
        client.count(ZUORA_ACCOUNT)
        assert client.api_calls == 5 == servers.request_counts()["zuora"]


def test_a_token_revoked_mid_pagination_is_replaced_once(world, serve) -> None:
    servers = serve(script=(None, None, "expire-token"))
    with zuora_client(servers.endpoints, page_size=10) as client:
        records = [r for page in client.iter_pages(ZUORA_SUBSCRIPTION) for r in page]
        assert client.api_calls == 1 + 5 + 2
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])


def test_a_401_that_persists_after_a_new_token_is_an_authentication_error(serve) -> None:
    servers = serve(expire_token_every=1)
    with zuora_client(servers.endpoints) as client:
        with pytest.raises(
            AuthenticationError, match="zuora: POST /v1/action/query: HTTP 401 even with a new token"
        ):
            client.count(ZUORA_ACCOUNT)
        assert client.api_calls == 4


def test_an_expired_locator_restarts_the_query_without_duplicates(world, serve) -> None:
    servers = serve(script=(None, None, None, "expire-locator"))
    with zuora_client(servers.endpoints, page_size=10) as client:
        pages = list(client.iter_pages(ZUORA_SUBSCRIPTION))
    assert [len(p) for p in pages] == [10, 10, 10, 10, 5]
    assert typed(ZUORA_SUBSCRIPTION, [r for p in pages for r in p]) == typed(
        ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION]
    )
    assert servers.request_counts()["zuora"] == 1 + 4 + 5


def test_a_locator_idle_past_its_lifetime_restarts_the_query(world, serve) -> None:
    clock = FakeTime()
    servers = serve(options={"locator_ttl": 900, "clock": clock})
    with zuora_client(servers.endpoints, page_size=10, clock=clock) as client:
        records = []
        for number, page in enumerate(client.iter_pages(ZUORA_SUBSCRIPTION)):
            records += page
            if number == 1:
                clock.advance(900.1)
    assert typed(ZUORA_SUBSCRIPTION, records) == typed(ZUORA_SUBSCRIPTION, world.records[ZUORA_SUBSCRIPTION])


def test_a_locator_that_always_expires_fails_after_bounded_restarts(serve) -> None:
    servers = serve(expire_locator_every=1)
    with zuora_client(servers.endpoints, page_size=10, max_attempts=3) as client:
        with pytest.raises(
            ExtractionError, match="zuora: POST /v1/action/queryMore: query locator expired 4 times"
        ):
            list(client.iter_pages(ZUORA_SUBSCRIPTION))


def test_null_fields_are_absent_and_money_is_decimal(tmp_path, serve) -> None:
    charge = source_object("zuora", "RatePlanCharge")
    build_world(tmp_path, {charge: 3})
    servers = serve(tmp_path)
    with zuora_client(servers.endpoints) as client:
        records = {r["Id"]: r for page in client.iter_pages(charge) for r in page}
    assert records[f"{2:032x}"]["MRR"] == Decimal("12.35")
    assert "MRR" not in records[f"{3:032x}"]


def test_an_invalid_field_is_reported_with_zuoras_message(endpoints) -> None:
    unknown = dataclasses.replace(
        ZUORA_ACCOUNT, fields=(*ZUORA_ACCOUNT.fields, Field("Nope__c", FieldType.STRING))
    )
    with zuora_client(endpoints) as client:
        with pytest.raises(
            ExtractionError, match=r"HTTP 400: INVALID_FIELD: invalid field for query: Account\.nope__c"
        ):
            list(client.iter_pages(unknown))
        assert client.api_calls == 2
