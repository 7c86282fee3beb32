"""The audit database in a run: opened once for all its steps, each step in a session of its own, closed at its end."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

import pipelines.resources
from pipelines.resources import AuditDatabase

pytestmark = pytest.mark.slow  # Dagster runs on instances of their own


@dg.asset(required_resource_keys={"duckdb"})
def first_step(context):
    """Writes a row, leaving its session in another time zone."""
    with context.resources.duckdb.get_connection() as con:
        con.execute("CREATE TABLE steps (step VARCHAR, zone VARCHAR)")
        con.execute("INSERT INTO steps VALUES ('first', current_setting('TimeZone'))")
        con.execute("SET TimeZone = 'America/New_York'")


@dg.asset(deps=[first_step], required_resource_keys={"duckdb"})
def second_step(context):
    """Writes a row with the time zone its session works in."""
    with context.resources.duckdb.get_connection() as con:
        con.execute("INSERT INTO steps VALUES ('second', current_setting('TimeZone'))")


@dg.asset(deps=[first_step], required_resource_keys={"duckdb"}, op_tags={"dagster/priority": "1"})
def failing_step(context):
    """Writes a row, then fails before its transaction commits; run before the other steps ready with it."""
    with context.resources.duckdb.get_connection() as con:
        con.execute("BEGIN")
        con.execute("INSERT INTO steps VALUES ('failing', current_setting('TimeZone'))")
        raise RuntimeError("the step fails")


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The files the resource opened, in order (the real `open_database` does the opening)."""
    calls: list[str] = []
    real = pipelines.resources.open_database

    def counted(path, **kwargs):
        calls.append(str(path))
        return real(path, **kwargs)

    monkeypatch.setattr(pipelines.resources, "open_database", counted)
    return calls


def _steps(database) -> list[tuple[str, str]]:
    """The rows the steps wrote, read with a connection of another configuration (refused while one stays open)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("SELECT step, zone FROM steps ORDER BY step").fetchall()


def test_a_run_opens_the_file_once_and_each_step_works_in_a_utc_session_of_its_own(tmp_path, opened):
    database = tmp_path / "audit.duckdb"

    result = dg.materialize([first_step, second_step], resources={"duckdb": AuditDatabase(database=str(database))})

    assert result.success
    assert opened == [str(database)], "both steps worked on the one connection the run opened"
    assert _steps(database) == [("first", "UTC"), ("second", "UTC")], "the first step's time zone stayed in its session"


def test_a_failed_step_closes_the_connection_and_loses_only_its_own_uncommitted_work(tmp_path, opened):
    database = tmp_path / "audit.duckdb"
    resources = {"duckdb": AuditDatabase(database=str(database))}
    dg.materialize([first_step], resources=resources)
    opened.clear()

    result = dg.materialize([failing_step, second_step], resources=resources, raise_on_error=False)

    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["failing_step"]
    assert opened == [str(database)] * 2, "the step after the failure opened the file afresh"
    assert _steps(database) == [("first", "UTC"), ("second", "UTC")]


def test_outside_a_run_each_connection_is_opened_and_closed(tmp_path, opened):
    database = tmp_path / "audit.duckdb"
    for _ in range(2):
        with AuditDatabase(database=str(database)).get_connection() as con:
            assert con.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
        with duckdb.connect(str(database), read_only=True):
            pass  # refused in this process while a connection of another configuration stays open
    assert opened == [str(database)] * 2
