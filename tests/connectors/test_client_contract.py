"""What the HTTP clients (Zuora, Salesforce) promise, checked against the real sandbox servers over loopback."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from connector_worlds import (
    SF_ACCOUNT,
    ZUORA_SUBSCRIPTION,
    salesforce_client,
    stamp,
    typed,
    zuora_client,
)

from connectors.errors import AuthenticationError, ExtractionError
from connectors.schema import SourceObject, objects_of
from sandbox.servers import Fault


@dataclass(frozen=True)
class Case:
    """One system under test: how to make its client, its paged object and the pages expected."""

    system: str
    make: Callable[..., Any]
    obj: SourceObject
    page_size: int
    pages: list[int]
    first_path: str
    logins: int

    @property
    def fault_free_calls(self) -> int:
        """The requests of one fault-free extraction of `obj`: its pages and the login."""
        return len(self.pages) + self.logins

    def client(self, endpoints: Any, **options: Any) -> Any:
        """A client of this system with the test's page size."""
        return self.make(endpoints, **{"page_size": self.page_size, **options})


CASES = [
    Case("zuora", zuora_client, ZUORA_SUBSCRIPTION, 10, [10, 10, 10, 10, 5], "POST /v1/action/query", 1),
    Case(
        "salesforce",
        lambda endpoints, **options: salesforce_client(endpoints, oauth=True, **options),
        SF_ACCOUNT,
        200,
        [200, 200, 50],
        "GET /services/data/v59.0/queryAll/",
        1,
    ),
]
SYSTEM = pytest.mark.parametrize("case", CASES, ids=lambda c: c.system)
FAULTS = [fault.value for fault in Fault if fault is not Fault.RESTART]  # a restart is a database fault


def extract(client: Any, obj: SourceObject, **kwargs: Any) -> tuple[list[int], list[dict]]:
    """The page sizes and records of one extraction."""
    pages = list(client.iter_pages(obj, **kwargs))
    return [len(p) for p in pages], [r for p in pages for r in p]


@SYSTEM
def test_full_extraction_equals_the_world_field_for_field(case: Case, world, endpoints) -> None:
    with case.client(endpoints) as client:
        for obj in objects_of(case.system):
            sizes, records = extract(client, obj)
            assert typed(obj, records) == typed(obj, world.records.get(obj, [])), obj.name
            assert all(set(r) <= set(obj.field_names) for r in records)
        assert extract(client, case.obj)[0] == case.pages


@SYSTEM
def test_incremental_since_keeps_watermarks_at_or_after_it(case: Case, world, endpoints) -> None:
    expected = typed(case.obj, world.records[case.obj][40:])
    with case.client(endpoints) as client:
        _, records = extract(client, case.obj, since=stamp(40))
        assert typed(case.obj, records) == expected
        assert extract(client, case.obj, since=stamp(10_000)) == ([], [])


@SYSTEM
def test_count_and_id_pages(case: Case, world, endpoints) -> None:
    written = world.records[case.obj]
    with case.client(endpoints) as client:
        assert client.count(case.obj) == len(written)
        ids = [i for page in client.iter_id_pages(case.obj) for i in page]
        assert sorted(ids) == sorted(r[case.obj.key] for r in written)
        empty = next(o for o in objects_of(case.system) if o not in world.records)
        assert client.count(empty) == 0
        assert list(client.iter_id_pages(empty)) == []


@SYSTEM
def test_api_calls_count_every_request_the_server_saw(case: Case, serve) -> None:
    servers = serve(script=("503", None, "drop"))
    with case.client(servers.endpoints) as client:
        extract(client, case.obj)
        client.count(case.obj)
        assert client.api_calls == servers.request_counts()[case.system]


@SYSTEM
@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_class_is_survived_with_the_same_result(case: Case, fault: str, world, serve) -> None:
    servers = serve(script=(fault, None, fault), retry_after=0, slow_seconds=1.0)
    with case.client(servers.endpoints, timeout=0.3) as client:
        sizes, records = extract(client, case.obj)
        assert typed(case.obj, records) == typed(case.obj, world.records[case.obj])
        assert sum(sizes) == len(world.records[case.obj])
        assert client.api_calls == servers.request_counts()[case.system]
        assert client.api_calls > case.fault_free_calls


@SYSTEM
def test_random_faults_are_survived(case: Case, world, serve) -> None:
    servers = serve(
        seed=11,
        rate_429=0.1,
        rate_500=0.05,
        rate_503=0.1,
        rate_drop=0.05,
        rate_slow=0.02,
        rate_truncate=0.1,
        retry_after=0,
        slow_seconds=1.0,
    )
    with case.client(servers.endpoints, timeout=0.3, max_attempts=10) as client:
        for _ in range(2):
            _, records = extract(client, case.obj)
            assert typed(case.obj, records) == typed(case.obj, world.records[case.obj])
        assert client.count(case.obj) == len(world.records[case.obj])
        assert client.api_calls == servers.request_counts()[case.system]
        assert client.api_calls > 2 * case.fault_free_calls + 1


@SYSTEM
def test_retries_exhausted_name_the_system_endpoint_and_last_status(case: Case, serve) -> None:
    servers = serve(rate_503=1.0)
    with case.client(servers.endpoints, max_attempts=3) as client:
        with pytest.raises(ExtractionError) as info:
            extract(client, case.obj)
        assert client.api_calls == servers.request_counts()[case.system]
    error = info.value
    assert (error.system, error.endpoint, error.status) == (case.system, case.first_path, 503)
    assert str(error).startswith(
        f"{case.system}: {case.first_path}: gave up after 3 attempts; last: HTTP 503"
    )


@SYSTEM
def test_retry_after_is_honoured_up_to_backoff_max(case: Case, serve, caplog) -> None:
    servers = serve(script=("429", "429"), retry_after=1)
    caplog.set_level(logging.WARNING, "connectors")
    with case.client(servers.endpoints, backoff_max=0.2) as client:
        client.count(case.obj)
    waits = [r.getMessage() for r in caplog.records if "HTTP 429" in r.getMessage()]
    assert len(waits) == 2 and all(w.endswith("in 0.20s") for w in waits)


BAD_CREDENTIALS = {
    "zuora": {"zuora_client_secret": "wrong-secret-0000"},
    "salesforce": {"salesforce_consumer_secret": "wrong-secret-0000"},
}


@SYSTEM
def test_bad_credentials_fail_at_once_with_a_clear_error_and_no_secret(case: Case, endpoints) -> None:
    wrong = dataclasses.replace(endpoints, **BAD_CREDENTIALS[case.system])
    with case.client(wrong) as client:
        with pytest.raises(AuthenticationError) as info:
            client.count(case.obj)
        assert client.api_calls == 1
        assert "wrong-secret" not in repr(client)
    assert info.value.system == case.system
    assert "wrong-secret" not in str(info.value)
    assert any(word in str(info.value) for word in ("401", "invalid", "Invalid", "refused"))


@SYSTEM
def test_repr_shows_no_secret_and_other_systems_objects_are_refused(case: Case, endpoints) -> None:
    secrets = [v for k, v in vars(endpoints).items() if k.startswith(case.system) and "url" not in k]
    with case.client(endpoints) as client:
        assert not any(str(s) in repr(client) for s in secrets)
        other = next(o for o in objects_of("zuora" if case.system != "zuora" else "salesforce"))
        with pytest.raises(ValueError):
            client.count(other)
