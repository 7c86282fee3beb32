"""The validation process: great-expectations imported and run in a process of its own, with the same failures as
in this process; rows validated here when it dies or cannot start."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import signal
from pathlib import Path

import pyarrow as pa
import pytest

from assets.raw_store import SnapshotLoad, connect
from checks.expectations import frame_failures
from checks.validation_process import ValidationProcess
from connectors.schema import source_object
from tests.fresh_interpreter import printed_literal

pytestmark = pytest.mark.slow  # great-expectations takes seconds to import, in each process that validates

ORDERS = source_object("customersdot", "orders")
LOADED_AT = dt.datetime(2026, 11, 27, 3, tzinfo=dt.UTC)
# Three orders: one with a negative quantity, one that starts before any plausible date.
ORDER_ROWS = [
    {"id": 1, "quantity": 10, "start_date": "2026-01-01", "updated_at": "2026-11-20T10:00:00Z"},
    {"id": 2, "quantity": -1, "start_date": "2026-01-01", "updated_at": "2026-11-20T10:00:00Z"},
    {"id": 3, "quantity": 5, "start_date": "1890-06-01", "updated_at": "2026-11-20T10:00:00Z"},
]

VALIDATED_ELSEWHERE = """
import sys
from assets.raw_store import connect
from checks.validation_process import ValidationProcess
from connectors.schema import source_object

orders = source_object("customersdot", "orders")
with connect(sys.argv[1]) as con:
    rows = con.sql(f"SELECT * FROM {orders.table}").to_arrow_table()
process = ValidationProcess()
process.start()
failures = process.submit(orders, rows).result()
process.stop()
print(repr(("great_expectations" in sys.modules, sorted((f.expectation, f.column, f.record_key) for f in failures))))
"""


@pytest.fixture
def database(tmp_path) -> Path:
    """A raw database holding `ORDER_ROWS`."""
    path = tmp_path / "raw.duckdb"
    with connect(str(path)) as con:
        snapshot = SnapshotLoad(con, ORDERS)
        snapshot.add(ORDER_ROWS)
        snapshot.commit_full(LOADED_AT)
    return path


@pytest.fixture
def rows(database) -> pa.Table:
    """The raw rows of `ORDER_ROWS`, as validation reads them."""
    with connect(str(database)) as con:
        return con.sql(f"SELECT * FROM {ORDERS.table}").to_arrow_table()


def _failing(failures) -> list[tuple[str, str, str | None]]:
    return sorted((f.expectation, f.column, f.record_key) for f in failures)


def test_the_process_finds_the_failures_this_process_would_without_importing_great_expectations_here(database, rows):
    imported_here, found = printed_literal(VALIDATED_ELSEWHERE, str(database))

    assert imported_here is False
    assert found == _failing(frame_failures(ORDERS, rows))
    assert {(column, key) for _, column, key in found} == {("quantity", "2"), ("start_date", "3")}


def test_rows_are_validated_here_when_the_process_died(caplog, rows):
    process = ValidationProcess()
    process.start()
    children = multiprocessing.active_children()
    assert children
    for child in children:
        os.kill(child.pid, signal.SIGKILL)

    with caplog.at_level(logging.WARNING, logger="checks.validation_process"):
        found = process.submit(ORDERS, rows).result()

    assert _failing(found) == _failing(frame_failures(ORDERS, rows))
    assert not process.started
    assert "the validation process stopped" in caplog.text


def _start_in(results: multiprocessing.Queue) -> None:
    """Start a validation process from this (daemonic) process and report whether it started."""
    process = ValidationProcess()
    process.start()
    results.put(process.started)


def test_a_process_that_cannot_start_one_validates_its_rows_itself():
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    daemon = context.Process(target=_start_in, args=(results,), daemon=True)
    daemon.start()
    started = results.get(timeout=60)
    daemon.join(timeout=60)

    assert started is False
    assert daemon.exitcode == 0


def test_a_stopped_process_ends():
    process = ValidationProcess()
    process.start()
    assert multiprocessing.active_children()

    process.stop()

    assert not process.started
    assert multiprocessing.active_children() == []
