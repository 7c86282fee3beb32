"""The raw store: typed tables, quarantine of unreadable records, atomic full and incremental loads."""

import datetime as dt
import json

import duckdb
import pytest

from assets.raw_store import DEFAULT_MEMORY_LIMIT, SnapshotLoad, connect, quarantined, stored_watermark
from connectors.schema import source_object

ORDERS = source_object("customersdot", "orders")
LOADED_AT = dt.datetime(2026, 11, 27, 3, tzinfo=dt.UTC)


def order(order_id, quantity=10, updated="2026-11-20T10:00:00.000Z", **extra):
    return {
        "id": order_id,
        "quantity": quantity,
        "subscription_name": f"A-S{order_id:08d}",
        "updated_at": updated,
        "start_date": "2026-01-01",
        "trial": False,
        **extra,
    }


@pytest.fixture
def con(tmp_path):
    connection = connect(str(tmp_path / "raw.duckdb"))
    yield connection
    connection.close()


def full_load(con, records):
    load = SnapshotLoad(con, ORDERS)
    load.add(records)
    return load.commit_full(LOADED_AT)


def rows(con):
    return con.execute("SELECT id, quantity FROM raw_customersdot.orders ORDER BY id").fetchall()


def test_full_load_types_every_column(con):
    assert full_load(con, [order(1), order(2, quantity="7")]) == 2
    assert rows(con) == [(1, 10), (2, 7)]
    start, trial = con.execute("SELECT start_date, trial FROM raw_customersdot.orders WHERE id = 1").fetchone()
    assert (start, trial) == (dt.date(2026, 1, 1), False)
    assert stored_watermark(con, ORDERS) == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


def test_unreadable_records_are_quarantined_with_the_reason(con):
    full_load(con, [order(1), order(2, quantity="many"), order(3, start_date="31/12/2026")])
    assert rows(con) == [(1, 10)]
    reasons = dict(quarantined(con, ORDERS))
    assert set(reasons) == {"2", "3"}
    assert "quantity" in reasons["2"] and "start_date" in reasons["3"]
    record = con.execute("SELECT record FROM meta.quarantine WHERE record_key = '2'").fetchone()[0]
    assert json.loads(record)["quantity"] == "many"


def test_a_discarded_load_leaves_the_previous_snapshot(con):
    full_load(con, [order(1), order(2)])
    load = SnapshotLoad(con, ORDERS)
    load.add([order(3)])
    load.discard()
    assert rows(con) == [(1, 10), (2, 10)]


def test_incremental_merge_updates_inserts_and_reconciles_deletions(con):
    full_load(con, [order(1), order(2), order(3)])
    load = SnapshotLoad(con, ORDERS)
    load.add([order(2, quantity=20, updated="2026-11-21T00:00:00.000Z"), order(4, updated="2026-11-21T00:00:00.000Z")])
    assert load.staged_new_ids() == 1
    load.add_source_ids([1, 2, 4])
    load.commit_incremental(LOADED_AT, reconcile=True)
    assert rows(con) == [(1, 10), (2, 20), (4, 10)]


def test_incremental_merge_without_reconciliation_keeps_unchanged_rows(con):
    full_load(con, [order(1), order(2)])
    load = SnapshotLoad(con, ORDERS)
    load.add([order(2, quantity=5, updated="2026-11-22T00:00:00.000Z")])
    load.commit_incremental(LOADED_AT, reconcile=False)
    assert rows(con) == [(1, 10), (2, 5)]
    assert stored_watermark(con, ORDERS) == dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def test_an_incremental_merge_notes_the_keys_it_added_or_changed_not_those_read_again_unchanged(con):
    full_load(con, [order(1), order(2), order(3)])
    con.execute("DELETE FROM meta.changed_keys")  # as the validation does
    load = SnapshotLoad(con, ORDERS)
    changed = order(2, quantity=20, updated="2026-11-21T00:00:00.000Z")
    load.add([order(1), changed, order(4, updated="2026-11-21T00:00:00.000Z")])
    load.commit_incremental(LOADED_AT, reconcile=False)
    noted = con.execute("SELECT object, record_key FROM meta.changed_keys ORDER BY record_key").fetchall()
    assert noted == [("customersdot/orders", "2"), ("customersdot/orders", "4")]
    assert rows(con) == [(1, 10), (2, 20), (3, 10), (4, 10)]


def test_a_routine_full_load_notes_only_what_it_changed_and_a_forced_one_the_whole_table(con):
    full_load(con, [order(1), order(2)])
    con.execute("DELETE FROM meta.changed_keys")  # as the validation does
    load = SnapshotLoad(con, ORDERS)
    load.add([order(1), order(2, quantity=3), order(5)])
    load.commit_full(LOADED_AT, validate_whole=False)
    assert con.execute("SELECT record_key FROM meta.changed_keys ORDER BY ALL").fetchall() == [("2",), ("5",)]
    full_load(con, [order(1)])
    assert con.execute("SELECT record_key FROM meta.changed_keys").fetchall() == [(None,)]


def change_id(con):
    return con.execute("SELECT change_id FROM meta.raw_changes WHERE object = 'customersdot/orders'").fetchall()[0][0]


def test_a_load_draws_a_new_change_id_only_when_it_changed_rows(con):
    full_load(con, [order(1), order(2), order(3)])
    first = change_id(con)

    def incremental(records, deleted=(), source_ids=None):
        load = SnapshotLoad(con, ORDERS)
        load.add(records)
        load.add_deleted_ids(deleted)
        if source_ids is not None:
            load.add_source_ids(source_ids)
        load.commit_incremental(LOADED_AT, reconcile=source_ids is not None)
        return change_id(con)

    def routine_full(records):
        load = SnapshotLoad(con, ORDERS)
        load.add(records)
        load.commit_full(LOADED_AT, validate_whole=False)
        return change_id(con)

    assert incremental([order(2)], source_ids=[1, 2, 3]) == first  # read again unchanged, nothing gone
    assert routine_full([order(1), order(2), order(3)]) == first
    changed = incremental([order(2, quantity=4)])
    assert changed != first
    deleted = incremental([], deleted=[3])
    assert deleted != changed and rows(con) == [(1, 10), (2, 4)]
    reconciled_away = incremental([], source_ids=[2])
    assert reconciled_away != deleted and rows(con) == [(2, 4)]
    assert routine_full([]) != reconciled_away  # the last row gone


def test_the_first_load_of_an_empty_table_draws_a_change_id(con):
    full_load(con, [])
    assert change_id(con) is not None


def test_connections_hold_duckdb_to_the_memory_limit(tmp_path):
    from pipelines.settings import resources_from_environment

    def current_limit(con: duckdb.DuckDBPyConnection) -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    def reported(limit: str) -> str:
        with duckdb.connect() as con:
            con.execute("SET memory_limit = ?", [limit])
            return current_limit(con)

    with connect(str(tmp_path / "default.duckdb")) as con:
        assert current_limit(con) == reported(DEFAULT_MEMORY_LIMIT) != reported("512MB")
    with connect(str(tmp_path / "given.duckdb"), memory_limit="512MB") as con:
        assert current_limit(con) == reported("512MB")
    env = {"LNR_DUCKDB_PATH": str(tmp_path / "set.duckdb"), "LNR_DUCKDB_MEMORY_LIMIT": "2GB"}
    with resources_from_environment(env)["duckdb"].get_connection() as con:
        assert current_limit(con) == reported("2GB")
