"""CustomersDot specifics: keyset pages followed through `Link` headers, id listings, declared fields only."""

from __future__ import annotations

import dataclasses

import pytest
from connector_worlds import AS_OF, CD_CUSTOMERS, CD_ORDERS, customersdot_client, make_record, stamp

import connectors.customersdot
from connectors.errors import ExtractionError
from sandbox.world import Manifest, write_manifest, write_records


def test_incremental_pages_follow_the_link_with_the_filter_kept(serve) -> None:
    servers = serve()
    with customersdot_client(servers.endpoints, page_size=10) as client:
        pages = list(client.iter_pages(CD_ORDERS, since=stamp(20)))
        assert client.api_calls == servers.request_counts()["customersdot"] == 3
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [r["id"] for p in pages for r in p] == list(range(21, 46))


def test_id_pages_follow_the_link(endpoints, monkeypatch) -> None:
    monkeypatch.setattr(connectors.customersdot, "IDS_PAGE_SIZE", 20)
    with customersdot_client(endpoints) as client:
        pages = list(client.iter_id_pages(CD_ORDERS))
        assert client.api_calls == 3
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [i for p in pages for i in p] == list(range(1, 46))


def test_undeclared_columns_are_left_out(tmp_path, serve) -> None:
    write_manifest(tmp_path, Manifest(as_of=AS_OF))
    write_records(tmp_path, CD_CUSTOMERS, [{**make_record(CD_CUSTOMERS, 0), "encrypted_password": "x"}])
    servers = serve(tmp_path)
    with customersdot_client(servers.endpoints) as client:
        (page,) = client.iter_pages(CD_CUSTOMERS)
    assert "encrypted_password" not in page[0]
    assert set(page[0]) == set(CD_CUSTOMERS.field_names)


def test_an_unknown_table_is_an_extraction_error(endpoints) -> None:
    unknown = dataclasses.replace(CD_ORDERS, name="nope")
    with customersdot_client(endpoints) as client:
        with pytest.raises(
            ExtractionError, match="customersdot: GET /api/v1/admin/nope: HTTP 404: 404 Not Found"
        ):
            client.count(unknown)
