"""Raw-data expectations: the key checked in SQL, the other expectations validated chunk by chunk."""

import datetime as dt

import pytest

from assets.raw_store import SnapshotLoad, connect
from checks.expectations import validate_table
from connectors.schema import source_object

ORDERS = source_object("customersdot", "orders")
LOADED_AT = dt.datetime(2026, 11, 27, 3, tzinfo=dt.UTC)


def order(order_id, quantity=10, start_date="2026-01-01"):
    return {"id": order_id, "quantity": quantity, "start_date": start_date, "updated_at": "2026-11-20T10:00:00Z"}


@pytest.fixture
def con(tmp_path):
    connection = connect(str(tmp_path / "raw.duckdb"))
    yield connection
    connection.close()


def load(con, records):
    snapshot = SnapshotLoad(con, ORDERS)
    snapshot.add(records)
    snapshot.commit_full(LOADED_AT)


def failures(outcomes):
    return {(o.expectation, o.column): (o.unexpected_count, o.examples) for o in outcomes if not o.success}


def test_a_clean_table_meets_every_expectation(con):
    load(con, [order(i) for i in range(1, 8)])
    outcomes = validate_table(con, ORDERS, chunk_rows=3)
    assert outcomes and all(o.success for o in outcomes)


def test_an_empty_table_meets_every_expectation(con):
    load(con, [])
    assert all(o.success and o.unexpected_count == 0 for o in validate_table(con, ORDERS))


def test_failures_are_counted_across_chunks_as_in_one_pass(con):
    records = [order(i) for i in range(1, 10)]
    records[1] = order(2, quantity=-1)
    records[7] = order(8, quantity=-5, start_date="1970-01-01")
    records.append(order(3))
    records.append(order(9))
    load(con, records)
    chunked = failures(validate_table(con, ORDERS, chunk_rows=2))
    assert chunked == failures(validate_table(con, ORDERS, chunk_rows=1_000))
    assert chunked[("expect_column_values_to_be_unique", "id")] == (4, ("3", "9"))
    assert chunked[("expect_column_values_to_be_between", "quantity")][0] == 2
    assert chunked[("expect_column_values_to_be_between", "start_date")][0] == 1
