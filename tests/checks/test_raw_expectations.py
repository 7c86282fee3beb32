"""Raw-data expectations: the key checked in SQL over the whole table, the other expectations validated with
great-expectations chunk by chunk on the rows changed since the last validation, their failures kept per row."""

import datetime as dt

import pytest

from assets.raw_store import SnapshotLoad, connect
from checks.raw_checks import expectations
from checks.raw_validation import VALIDATION_CHUNK_ROWS, awaits_validation, validate_tables
from checks.validation_process import VALIDATION_PROCESS
from connectors.schema import source_object
from tests.fresh_interpreter import printed_literal

pytestmark = pytest.mark.slow  # great-expectations takes seconds to import and set up

ORDERS = source_object("customersdot", "orders")
LICENSES = source_object("customersdot", "licenses")
LOADED_AT = dt.datetime(2026, 11, 27, 3, tzinfo=dt.UTC)
QUANTITY = ("expect_column_values_to_be_between", "quantity")


def order(order_id, quantity=10, start_date="2026-01-01", updated_at="2026-11-20T10:00:00Z"):
    return {"id": order_id, "quantity": quantity, "start_date": start_date, "updated_at": updated_at}


@pytest.fixture
def con(tmp_path):
    connection = connect(str(tmp_path / "raw.duckdb"))
    yield connection
    connection.close()


def load(con, records):
    snapshot = SnapshotLoad(con, ORDERS)
    snapshot.add(records)
    snapshot.commit_full(LOADED_AT)


def merge(con, records, deleted=()):
    snapshot = SnapshotLoad(con, ORDERS)
    snapshot.add(records)
    snapshot.add_deleted_ids(deleted)
    snapshot.commit_incremental(LOADED_AT, reconcile=False)


def validate_table(con, obj, chunk_rows=VALIDATION_CHUNK_ROWS):
    ((_, validation),) = validate_tables(con, [obj], chunk_rows)
    return validation


def failures(validation):
    return {(o.expectation, o.column): (o.unexpected_count, o.examples) for o in validation.outcomes if not o.success}


def test_a_clean_table_meets_every_expectation(con):
    load(con, [order(i) for i in range(1, 8)])
    validation = validate_table(con, ORDERS, chunk_rows=3)
    assert validation.outcomes and all(o.success for o in validation.outcomes)
    assert (validation.rows_validated, validation.whole) == (7, True)


def test_an_empty_table_meets_every_expectation(con):
    load(con, [])
    assert all(o.success and o.unexpected_count == 0 for o in validate_table(con, ORDERS).outcomes)


def test_failures_are_counted_across_chunks_as_in_one_pass(tmp_path):
    records = [order(i) for i in range(1, 10)]
    records[1] = order(2, quantity=-1)
    records[7] = order(8, quantity=-5, start_date="1970-01-01")
    records.append(order(3))
    records.append(order(9))
    found = []
    for chunk_rows in (2, 1_000):
        with connect(str(tmp_path / f"chunks-{chunk_rows}.duckdb")) as con:
            load(con, records)
            found.append(failures(validate_table(con, ORDERS, chunk_rows=chunk_rows)))
    chunked, whole = found
    assert chunked == whole
    assert chunked[("expect_column_values_to_be_unique", "id")] == (4, ("3", "9"))
    assert chunked[QUANTITY] == (2, ("-1", "-5"))
    assert chunked[("expect_column_values_to_be_between", "start_date")][0] == 1


def test_an_incremental_night_validates_only_the_rows_it_merged(con):
    load(con, [order(i) for i in range(1, 101)])
    validate_table(con, ORDERS)
    merge(con, [order(5, quantity=3), order(101, quantity=-2)])
    validation = validate_table(con, ORDERS)
    assert (validation.rows_validated, validation.whole) == (2, False)
    assert failures(validation) == {QUANTITY: (1, ("-2",))}


def test_a_row_read_again_unchanged_is_not_validated_again(con):
    load(con, [order(i) for i in range(1, 11)])
    validate_table(con, ORDERS)
    merge(con, [order(4), order(5, quantity=-5)])
    validation = validate_table(con, ORDERS)
    assert validation.rows_validated == 1
    assert failures(validation) == {QUANTITY: (1, ("-5",))}


def test_a_table_awaits_validation_until_validated_and_again_once_a_load_changed_a_row(con):
    load(con, [order(i) for i in range(1, 6)])
    assert awaits_validation(con, ORDERS)
    validate_table(con, ORDERS)
    assert not awaits_validation(con, ORDERS)
    merge(con, [order(2)])
    assert not awaits_validation(con, ORDERS)
    merge(con, [order(2, quantity=7)])
    assert awaits_validation(con, ORDERS)


def test_a_malformed_row_loaded_on_an_earlier_night_is_still_reported(con):
    load(con, [order(1), order(2, quantity=-1), order(3)])
    assert failures(validate_table(con, ORDERS)) == {QUANTITY: (1, ("-1",))}
    merge(con, [order(3, quantity=4)])
    validation = validate_table(con, ORDERS)
    assert validation.rows_validated == 1
    assert failures(validation) == {QUANTITY: (1, ("-1",))}
    nothing_changed = validate_table(con, ORDERS)
    assert nothing_changed.rows_validated == 0
    assert failures(nothing_changed) == {QUANTITY: (1, ("-1",))}


def test_a_row_corrected_or_deleted_since_no_longer_fails(con):
    load(con, [order(1, quantity=-1), order(2, quantity=-2), order(3)])
    validate_table(con, ORDERS)
    merge(con, [order(1, quantity=1)])
    assert failures(validate_table(con, ORDERS)) == {QUANTITY: (1, ("-2",))}
    merge(con, [], deleted=[2])
    assert failures(validate_table(con, ORDERS)) == {}


def test_a_full_load_is_validated_whole_and_replaces_the_failures_kept(con):
    load(con, [order(1, quantity=-1), order(2)])
    validate_table(con, ORDERS)
    load(con, [order(1), order(2), order(3, quantity=-3)])
    validation = validate_table(con, ORDERS)
    assert (validation.rows_validated, validation.whole) == (3, True)
    assert failures(validation) == {QUANTITY: (1, ("-3",))}


def test_a_routine_full_load_validates_only_the_rows_it_changed(con):
    load(con, [order(1, quantity=-1), order(2), order(3)])
    validate_table(con, ORDERS)
    snapshot = SnapshotLoad(con, ORDERS)
    snapshot.add([order(1, quantity=-1), order(2), order(4, quantity=-4)])
    snapshot.commit_full(LOADED_AT, validate_whole=False)
    validation = validate_table(con, ORDERS)
    assert (validation.rows_validated, validation.whole) == (1, False)
    assert failures(validation) == {QUANTITY: (2, ("-1", "-4"))}


def test_loads_between_two_validations_are_all_validated(con):
    load(con, [order(1), order(2)])
    validate_table(con, ORDERS)
    merge(con, [order(3, quantity=-3)])
    merge(con, [order(4, quantity=-4)])
    validation = validate_table(con, ORDERS)
    assert validation.rows_validated == 2
    assert failures(validation) == {QUANTITY: (2, ("-3", "-4"))}


def test_the_check_of_a_night_that_left_a_malformed_row_alone_still_fails(con):
    load(con, [order(1), order(2, quantity=-1)])
    list(expectations(con, [ORDERS]))
    merge(con, [order(1, quantity=4)])
    ((obj, (passed, metadata)),) = expectations(con, [ORDERS])
    assert obj == ORDERS
    assert not passed
    assert (metadata["rows_validated"], metadata["validated_whole"], metadata["failed"]) == (1, False, 1)
    assert "`quantity`: 1 unexpected, e.g. -1" in metadata["failures"].value


def license(license_id, users_count=10, plan_code="premium"):
    return {"id": license_id, "users_count": users_count, "plan_code": plan_code, "updated_at": "2026-11-20T10:00:00Z"}


def validations_by_table(validations):
    return {obj.table: (v.rows_validated, v.whole, failures(v)) for obj, v in validations}


def test_tables_validated_in_the_validation_process_chunk_by_chunk_give_what_this_process_gives(tmp_path):
    def night(path, validate):
        with connect(str(path)) as con:
            load(con, [order(i, quantity=-i if i % 4 == 0 else i) for i in range(1, 12)])
            licenses = SnapshotLoad(con, LICENSES)
            licenses.add(
                [
                    license(i, users_count=-1 if i == 3 else 5, plan_code="gold" if i == 5 else "premium")
                    for i in range(1, 8)
                ]
            )
            licenses.commit_full(LOADED_AT)
            return validate(con)

    here = night(tmp_path / "here.duckdb", lambda con: [(o, validate_table(con, o)) for o in (ORDERS, LICENSES)])
    process = VALIDATION_PROCESS
    process.start()
    try:
        there = night(tmp_path / "there.duckdb", lambda con: list(validate_tables(con, [ORDERS, LICENSES], 2)))
        assert process.started
    finally:
        process.stop()

    assert [obj for obj, _ in there] == [ORDERS, LICENSES]
    assert validations_by_table(there) == validations_by_table(here)
    assert validations_by_table(there)[ORDERS.table] == (11, True, {QUANTITY: (2, ("-4", "-8"))})
    assert set(validations_by_table(there)[LICENSES.table][2]) == {
        ("expect_column_values_to_be_between", "users_count"),
        ("expect_column_values_to_be_in_set", "plan_code"),
    }


NOTHING_CHANGED_NIGHT = """
import sys
from assets.raw_store import connect
from checks.raw_validation import validate_tables
from connectors.schema import source_object

with connect(sys.argv[1]) as con:
    ((_, validation),) = validate_tables(con, [source_object("customersdot", "orders")])
failed = sorted((o.expectation, o.column, o.unexpected_count) for o in validation.outcomes if not o.success)
print(repr(("great_expectations" in sys.modules, validation.rows_validated, failed)))
"""


def test_a_night_that_changed_no_row_reports_the_kept_failures_without_great_expectations(tmp_path):
    database = tmp_path / "raw.duckdb"
    with connect(str(database)) as con:
        load(con, [order(1), order(2, quantity=-1)])
        validate_table(con, ORDERS)
    imported, rows, failed = printed_literal(NOTHING_CHANGED_NIGHT, str(database))
    assert (imported, rows, failed) == (False, 0, [(*QUANTITY, 1)])
