"""Fixtures for the sandbox server tests: small worlds and clients of the running servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from connectors.schema import source_object
from sandbox.servers import FaultProfile, SandboxEndpoints, SandboxServers
from sandbox.world import Manifest, write_manifest, write_records

Records = dict[str, list[dict[str, Any]]]


class ZuoraAPI:
    """A bare client of the sandbox Zuora server."""

    def __init__(self, http: httpx.Client, endpoints: SandboxEndpoints) -> None:
        self.http = http
        self.endpoints = endpoints
        self.url = endpoints.zuora_url

    def token_response(self, **form: str) -> httpx.Response:
        """The raw answer of the token endpoint."""
        data = {
            "client_id": self.endpoints.zuora_client_id,
            "client_secret": self.endpoints.zuora_client_secret,
            "grant_type": "client_credentials",
            **form,
        }
        return self.http.post(f"{self.url}/oauth/token", data=data)

    def token(self) -> str:
        """A fresh bearer token."""
        response = self.token_response()
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def query(self, zoql: str, token: str, batch: int | None = None) -> httpx.Response:
        """POST /v1/action/query."""
        body: dict[str, Any] = {"queryString": zoql}
        if batch is not None:
            body["conf"] = {"batchSize": batch}
        return self.http.post(f"{self.url}/v1/action/query", json=body, headers=_bearer(token))

    def more(self, locator: str, token: str) -> httpx.Response:
        """POST /v1/action/queryMore."""
        return self.http.post(
            f"{self.url}/v1/action/queryMore", json={"queryLocator": locator}, headers=_bearer(token)
        )

    def query_all(self, zoql: str, batch: int | None = None) -> list[dict[str, Any]]:
        """Every record of a query, following query locators."""
        token = self.token()
        page = self.query(zoql, token, batch).json()
        records = list(page["records"])
        while not page["done"]:
            page = self.more(page["queryLocator"], token).json()
            records.extend(page["records"])
        return records


class SalesforceAPI:
    """A bare client of the sandbox Salesforce server (a requests session trusting the throw-away CA)."""

    def __init__(self, endpoints: SandboxEndpoints) -> None:
        self.endpoints = endpoints
        self.base = f"https://{endpoints.salesforce_instance_url}"
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = str(endpoints.salesforce_ca_bundle)

    def get(self, path: str, session_id: str | None = None, **kwargs: Any) -> requests.Response:
        """GET a path of the instance with a session id (the initial one by default)."""
        headers = {"Authorization": f"Bearer {session_id or self.endpoints.salesforce_session_id}"}
        headers.update(kwargs.pop("headers", {}))
        return self.session.get(f"{self.base}{path}", headers=headers, timeout=10, **kwargs)

    def query(self, soql: str, *, deleted: bool = False, batch: int | None = None) -> requests.Response:
        """GET query/ (or queryAll/) for a SOQL text."""
        headers = {"Sforce-Query-Options": f"batchSize={batch}"} if batch else {}
        endpoint = "queryAll" if deleted else "query"
        return self.get(f"/services/data/v59.0/{endpoint}/", params={"q": soql}, headers=headers)


class Sandbox:
    """Running sandbox servers with a client of each."""

    def __init__(self, servers: SandboxServers, http: httpx.Client) -> None:
        self.servers = servers
        self.endpoints = servers.endpoints
        self.zuora = ZuoraAPI(http, self.endpoints)
        self.salesforce = SalesforceAPI(self.endpoints)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """An httpx client that ignores proxy and CA settings from the environment."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
def make_world(tmp_path: Path) -> Callable[..., Path]:
    """Write a world from `{"system/Object": [records]}` into a fresh directory."""

    def make(records: Records, name: str = "world", as_of: str = "2026-11-27") -> Path:
        world = tmp_path / name
        write_manifest(world, Manifest(as_of=as_of, generator="tests"))
        for key, rows in records.items():
            system, obj = key.split("/")
            write_records(world, source_object(system, obj), rows)
        return world

    return make


@pytest.fixture
def sandbox(make_world: Callable[..., Path], http: httpx.Client) -> Iterator[Callable[..., Sandbox]]:
    """Start sandbox servers over a world built from records; they stop when the test ends."""
    started: list[SandboxServers] = []

    def start(records: Records, faults: FaultProfile | None = None, **options: Any) -> Sandbox:
        servers = SandboxServers(make_world(records, name=f"world{len(started)}"), faults, **options)
        started.append(servers)
        servers.start()
        return Sandbox(servers, http)

    yield start
    for servers in started:
        servers.stop()


@pytest.fixture
def subscriptions() -> Callable[..., list[dict[str, Any]]]:
    """Make `count` Zuora subscriptions with distinct ids and names."""

    def make(count: int, **fields: Any) -> list[dict[str, Any]]:
        return [{"Id": f"{i:032x}", "Name": f"A-S{i:08d}", "Version": 1, **fields} for i in range(count)]

    return make
