"""The in-memory world client: the SourceClient of a world's files, for extraction tests without servers."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.raw_store import connect
from connectors.base import SourceClient
from connectors.schema import SOURCE_OBJECTS, coerce_record, coerce_value, source_object
from sandbox.generator import generate
from sandbox.world import iter_records
from sandbox.world_client import WorldClient
from tests.world_sources import load_world

ORDERS = source_object("customersdot", "orders")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A small generated world."""
    path = tmp_path_factory.mktemp("world") / "small"
    generate(path, customers=40, seed=3)
    return path


@pytest.mark.slow
def test_a_world_loads_into_raw_tables_equal_to_its_files(world, tmp_path):
    with connect(str(tmp_path / "db.duckdb")) as con:
        load_world(con, world)
        for obj in SOURCE_OBJECTS:
            stored = sorted(con.execute(f"SELECT * FROM {obj.table}").fetchall(), key=repr)
            expected = sorted((tuple(coerce_record(obj, r).values()) for r in iter_records(world, obj)), key=repr)
            assert stored == expected, obj.table


def test_pages_ids_and_count_follow_the_files_and_each_page_is_a_call(world):
    client: SourceClient = WorldClient(world, "customersdot", page_size=7)
    records = list(iter_records(world, ORDERS))
    pages = list(client.iter_pages(ORDERS))
    assert [len(page) for page in pages[:-1]] == [7] * (len(pages) - 1) and 0 < len(pages[-1]) <= 7
    assert [r["id"] for page in pages for r in page] == [r["id"] for r in records]
    assert all(set(r) <= set(ORDERS.field_names) for page in pages for r in page)
    assert [i for page in client.iter_id_pages(ORDERS) for i in page] == [r["id"] for r in records]
    assert client.count(ORDERS) == len(records)
    assert client.api_calls == 2 * len(pages) + 1


def test_since_keeps_the_records_changed_at_or_after_it(world):
    stamps = sorted(coerce_value(ORDERS.field(ORDERS.watermark), r[ORDERS.watermark])
                    for r in iter_records(world, ORDERS))
    since = stamps[len(stamps) // 2]
    kept = [r for page in WorldClient(world, "customersdot").iter_pages(ORDERS, since) for r in page]
    assert len(kept) == sum(1 for stamp in stamps if stamp >= since.replace(microsecond=0)) < len(stamps)
    assert not list(WorldClient(world, "customersdot").iter_pages(ORDERS, stamps[-1] + dt.timedelta(seconds=1)))


def test_an_object_of_another_system_is_refused(world):
    with pytest.raises(ValueError, match="not a zuora object"):
        list(WorldClient(world, "zuora").iter_pages(ORDERS))
