"""Zuora's own Python SDK (`zuora-sdk`) reads the sandbox Zuora server as it reads Zuora."""

from __future__ import annotations

import pytest

# The SDK's import takes seconds of CPU (some 1,700 models): it happens in the test, on one worker.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.xdist_group("zuora_sdk"),
]

ALL = "select Id, Name from Subscription"


def test_zuora_sdk_reads_the_sandbox_like_zuora(sandbox, subscriptions) -> None:
    from zuora_sdk import (
        ActionsApi,
        ApiClient,
        Configuration,
        OAuthApi,
        ProxyActionqueryMoreRequest,
        ProxyActionqueryRequest,
    )
    from zuora_sdk.exceptions import BadRequestException, UnauthorizedException

    records = subscriptions(2500, Status="Active")
    records[7]["Status"] = "Expired"
    sandbox_ = sandbox({"zuora/Subscription": records})
    endpoints = sandbox_.endpoints
    client = ApiClient(Configuration(host=endpoints.zuora_url))
    token = OAuthApi(client).create_token(
        client_id=endpoints.zuora_client_id,
        client_secret=endpoints.zuora_client_secret,
        grant_type="client_credentials",
    )
    assert token.token_type == "bearer" and token.expires_in == 3599
    actions = ActionsApi(client)
    bearer = f"Bearer {token.access_token}"
    first = actions.action_post_query(
        ProxyActionqueryRequest(
            query_string="select Id, Name, Status from Subscription where Status = 'Active'"
        ),
        authorization=bearer,
    )
    assert (len(first.records), first.size, first.done) == (2000, 2499, False)
    more = actions.action_postquery_more(
        ProxyActionqueryMoreRequest(query_locator=first.query_locator), authorization=bearer
    )
    assert (len(more.records), more.done, more.query_locator) == (499, True, None)
    assert {r["Status"] for r in first.records + more.records} == {"Active"}

    with pytest.raises(BadRequestException):
        actions.action_post_query(
            ProxyActionqueryRequest(query_string="select Foo from Subscription"), authorization=bearer
        )
    with pytest.raises(UnauthorizedException):
        actions.action_post_query(ProxyActionqueryRequest(query_string=ALL), authorization="Bearer expired")
