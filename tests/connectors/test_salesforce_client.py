"""Salesforce specifics: queryAll, sessions that expire mid-pagination, TLS with our own CA, lazy import."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from connector_worlds import SF_ACCOUNT, SF_OPPORTUNITY, salesforce_client, typed

from connectors.errors import AuthenticationError, ExtractionError
from connectors.salesforce import SalesforceClient
from connectors.schema import Field, FieldType


def test_query_all_brings_deleted_and_merged_rows(world, endpoints) -> None:
    with salesforce_client(endpoints) as client:
        records = [r for page in client.iter_pages(SF_ACCOUNT) for r in page]
        assert client.count(SF_ACCOUNT) == len(records) == 450
    assert any(r["IsDeleted"] is True and r["MasterRecordId"] for r in records)
    assert all("attributes" not in r for r in records)


def test_money_is_decimal_nulls_are_present_and_usage_is_read(endpoints) -> None:
    with salesforce_client(endpoints) as client:
        records = {r["Id"]: r for page in client.iter_pages(SF_OPPORTUNITY) for r in page}
        used, limit = client.api_usage
    assert records["001000000000000002"]["Amount"] == Decimal("12.35")
    assert records["001000000000000003"]["Amount"] is None
    assert used >= 1 and limit == 5000


def test_an_expired_session_with_client_credentials_logs_in_again_and_resumes(world, serve) -> None:
    servers = serve(script=(None, "expire-token"))
    with salesforce_client(servers.endpoints, oauth=True, page_size=200) as client:
        pages = list(client.iter_pages(SF_ACCOUNT))
        assert client.api_calls == servers.request_counts()["salesforce"] == 1 + 3 + 1 + 1
    assert [len(p) for p in pages] == [200, 200, 50]
    assert typed(SF_ACCOUNT, [r for p in pages for r in p]) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])


def test_a_session_id_alone_fails_clearly_when_it_expires(serve) -> None:
    servers = serve(script=(None, "expire-token"))
    with salesforce_client(servers.endpoints, page_size=200) as client:
        with pytest.raises(AuthenticationError, match="no client credentials to log in again") as info:
            list(client.iter_pages(SF_ACCOUNT))
    assert info.value.endpoint.startswith("GET /services/data/v59.0/queryAll/01g")
    assert servers.endpoints.salesforce_session_id not in str(info.value)


def test_a_session_refused_again_after_a_new_login_is_an_authentication_error(serve) -> None:
    servers = serve(expire_token_every=1)
    with salesforce_client(servers.endpoints, oauth=True) as client:
        with pytest.raises(AuthenticationError, match="HTTP 401 even after logging in again"):
            client.count(SF_ACCOUNT)
        assert client.api_calls == 4


def test_an_expired_locator_restarts_the_query(world, serve) -> None:
    servers = serve(script=(None, None, "expire-locator"))
    with salesforce_client(servers.endpoints, page_size=200) as client:
        pages = list(client.iter_pages(SF_ACCOUNT))
    assert [len(p) for p in pages] == [200, 200, 50]
    assert typed(SF_ACCOUNT, [r for p in pages for r in p]) == typed(SF_ACCOUNT, world.records[SF_ACCOUNT])


def test_the_environment_does_not_override_our_ca_bundle(endpoints, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with salesforce_client(endpoints) as client:
        assert client.count(SF_OPPORTUNITY) == 5


def test_a_server_outside_our_ca_is_refused_without_retries(endpoints) -> None:
    with salesforce_client(endpoints, ca_bundle=None) as client:
        with pytest.raises(ExtractionError, match="CERTIFICATE_VERIFY_FAILED") as info:
            client.count(SF_ACCOUNT)
        assert client.api_calls == 1
    assert info.value.endpoint == "GET /services/data/v59.0/queryAll/"


def test_an_invalid_field_reports_salesforces_error(endpoints) -> None:
    unknown = dataclasses.replace(SF_ACCOUNT, fields=(*SF_ACCOUNT.fields, Field("Nope__c", FieldType.STRING)))
    with salesforce_client(endpoints) as client:
        with pytest.raises(ExtractionError, match="HTTP 400: INVALID_FIELD: No such column 'Nope__c'"):
            list(client.iter_pages(unknown))
        assert client.api_calls == 1


def test_simple_salesforce_is_not_imported_with_the_module() -> None:
    code = "import sys, connectors.salesforce; print('simple_salesforce' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "False"


def test_credentials_are_required() -> None:
    with pytest.raises(ValueError, match="session_id"):
        SalesforceClient("127.0.0.1:1")
