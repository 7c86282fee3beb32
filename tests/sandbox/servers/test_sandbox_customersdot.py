"""The sandbox CustomersDot admin export API over loopback HTTP."""

from __future__ import annotations

import random

import pytest


def orders(ids: list[int], updated_at: str = "2026-11-20T10:00:00.000Z") -> list[dict]:
    return [{"id": i, "subscription_name": f"A-S{i:08d}", "updated_at": updated_at} for i in ids]


def test_admin_headers_are_required(sandbox, http) -> None:
    running = sandbox({"customersdot/orders": orders([1])})
    url = f"{running.endpoints.customersdot_url}/api/v1/admin/orders"
    wrong = {"X-Admin-Email": running.endpoints.customersdot_admin_email, "X-Admin-Token": "nope"}
    for headers in ({}, wrong):
        response = http.get(url, headers=headers)
        assert (response.status_code, response.json()) == (401, {"message": "401 Unauthorized"})
        assert "RateLimit-Remaining" in response.headers


def test_exactly_100_rows_fit_one_page(sandbox) -> None:
    customersdot = sandbox({"customersdot/orders": orders(list(range(1, 101)))}).customersdot
    [page] = customersdot.pages("orders", pagination="keyset", order_by="id", sort="asc", per_page=100)
    assert len(page.json()) == 100 and "Link" not in page.headers and page.headers["X-Total"] == "100"


def test_101_rows_take_a_link_to_the_next_page(sandbox) -> None:
    customersdot = sandbox({"customersdot/orders": orders(list(range(1, 102)))}).customersdot
    first, second = customersdot.pages("orders", pagination="keyset", order_by="id", sort="asc", per_page=100)
    assert first.links["next"]["url"] == (
        f"{customersdot.url}/api/v1/admin/orders?pagination=keyset&order_by=id&sort=asc&per_page=100&id_after=100"
    )
    assert first.headers["Link"].endswith('; rel="next"')
    assert [row["id"] for row in second.json()] == [101] and "Link" not in second.headers
    assert second.headers["X-Total"] == "101"


def test_rows_come_in_id_order_whatever_the_file_order(sandbox) -> None:
    ids = random.Random(3).sample(range(1, 10_000), 250)
    customersdot = sandbox({"customersdot/orders": orders(ids)}).customersdot
    pages = customersdot.pages("orders", pagination="keyset", per_page=100)
    assert [len(p.json()) for p in pages] == [100, 100, 50]
    assert [row["id"] for p in pages for row in p.json()] == sorted(ids)


def test_per_page_defaults_to_20_and_is_capped_at_100(sandbox) -> None:
    customersdot = sandbox({"customersdot/orders": orders(list(range(1, 151)))}).customersdot
    assert len(customersdot.get("orders").json()) == 20
    assert len(customersdot.get("orders", per_page=500).json()) == 100


def test_updated_after_keeps_rows_updated_at_or_after_the_instant(sandbox) -> None:
    rows = [
        *orders([1, 2], "2026-11-25T23:59:59.999Z"),
        *orders([3], "2026-11-26T00:00:00.000Z"),
        *orders([4, 5], "2026-11-27T08:00:00.000Z"),
        {"id": 6},
    ]
    customersdot = sandbox({"customersdot/orders": rows}).customersdot
    pages = customersdot.pages("orders", per_page=2, updated_after="2026-11-26T00:00:00Z")
    assert [row["id"] for p in pages for row in p.json()] == [3, 4, 5]
    assert {p.headers["X-Total"] for p in pages} == {"3"}
    assert "updated_after=2026-11-26T00%3A00%3A00Z" in pages[0].links["next"]["url"]
    later = customersdot.get("orders", updated_after="2026-11-26T01:00:00+01:00")
    assert [row["id"] for row in later.json()] == [3, 4, 5]


def test_rows_carry_every_declared_column_and_extra_fields(sandbox) -> None:
    rows = [{"id": 7, "trial": True, "quantity": 5, "legacy_flag": "x"}]
    customersdot = sandbox({"customersdot/orders": rows}).customersdot
    [row] = customersdot.get("orders").json()
    assert row["id"] == 7 and row["trial"] is True and row["quantity"] == 5 and row["legacy_flag"] == "x"
    assert row["subscription_id"] is None and "updated_at" in row


def test_ids_endpoint_lists_ids_with_keyset_pages(sandbox) -> None:
    ids = list(range(1, 25_002))
    customersdot = sandbox({"customersdot/licenses": [{"id": i} for i in ids]}).customersdot
    pages = customersdot.pages("licenses/ids", per_page=10_000)
    assert [len(p.json()) for p in pages] == [10_000, 10_000, 5_001]
    assert [i for p in pages for i in p.json()] == ids
    assert pages[0].headers["X-Total"] == "25001"
    assert pages[0].links["next"]["url"].endswith("/api/v1/admin/licenses/ids?per_page=10000&id_after=10000")
    assert len(customersdot.get("licenses/ids", per_page=50_000).json()) == 10_000
    assert len(customersdot.get("licenses/ids").json()) == 1_000


def test_missing_table_files_are_empty_tables(sandbox) -> None:
    customersdot = sandbox({}).customersdot
    for table in (
        "customers",
        "billing_accounts",
        "orders",
        "licenses",
        "cloud_activations",
        "license_seat_links",
    ):
        response = customersdot.get(table)
        assert (response.status_code, response.json(), response.headers["X-Total"]) == (200, [], "0")


@pytest.mark.parametrize("path", ["subscriptions", "orders/123", "orders/ids/more"])
def test_unknown_tables_and_paths_are_not_found(sandbox, path) -> None:
    response = sandbox({}).customersdot.get(path)
    assert (response.status_code, response.json()) == (404, {"message": "404 Not Found"})


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": "0"},
        {"per_page": "many"},
        {"pagination": "offset"},
        {"order_by": "updated_at"},
        {"sort": "desc"},
        {"id_after": "x"},
        {"updated_after": "last tuesday"},
    ],
)
def test_bad_parameters_are_refused(sandbox, params) -> None:
    response = sandbox({}).customersdot.get("orders", **params)
    assert response.status_code == 400
    assert response.json()["message"].startswith("400 Bad request - ")


def test_rate_limit_headers(sandbox) -> None:
    customersdot = sandbox({}).customersdot
    first, second = customersdot.get("orders"), customersdot.get("orders")
    assert first.headers["RateLimit-Limit"] == "2000"
    assert int(second.headers["RateLimit-Remaining"]) == int(first.headers["RateLimit-Remaining"]) - 1
    assert int(first.headers["RateLimit-Reset"]) > 1_700_000_000
