"""The sandbox CustomersDot database: a world's tables in PostgreSQL with natural types, read by a read-only role."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from sandbox.servers import FaultProfile
from sandbox.world import WorldFormatError

ORDER = {
    "id": 7,
    "customer_id": 3,
    "subscription_name": "A-S00000007",
    "start_date": "2026-01-15",
    "quantity": 12,
    "trial": False,
    "gl_namespace_id": "",
    "updated_at": "2026-11-20T10:00:00.000Z",
    "legacy_flags": {"a": 1},
}


def reader(running) -> psycopg.Connection:
    """A connection as the read-only role the sandbox hands out."""
    endpoints = running.endpoints
    return psycopg.connect(endpoints.customersdot_database_url, password=endpoints.customersdot_password)


def superuser(running, postgres_server) -> psycopg.Connection:
    """A superuser connection to the sandbox's CustomersDot database."""
    return postgres_server.connect(conninfo_to_dict(running.endpoints.customersdot_database_url)["dbname"])


def test_tables_have_natural_types_a_keyset_index_and_the_extra_fields(sandbox, postgres_server) -> None:
    running = sandbox({"customersdot/orders": [ORDER]})
    with superuser(running, postgres_server) as con:
        types = dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"
        ).fetchall())
        indexes = [r[0] for r in con.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'orders'")]
        tables = {r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == {"customers", "billing_accounts", "orders", "licenses", "cloud_activations", "license_seat_links"}
    assert (types["id"], types["customer_id"], types["quantity"]) == ("bigint", "bigint", "integer")
    assert (types["start_date"], types["trial"]) == ("date", "boolean")
    assert types["updated_at"] == "timestamp with time zone" and types["legacy_flags"] == "text"
    assert any(i.endswith("(updated_at, id)") for i in indexes) and any("pkey" in i for i in indexes)
    with reader(running) as con:
        row = con.execute("SELECT start_date::text, trial, gl_namespace_id, legacy_flags FROM orders").fetchone()
    assert row == ("2026-01-15", False, None, '{"a": 1}')


def test_the_role_only_reads(sandbox) -> None:
    running = sandbox({"customersdot/orders": [ORDER]})
    with reader(running) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone() == (1,)
        con.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM orders")
        con.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("CREATE TABLE mine (id int)")


def test_a_world_value_no_typed_column_holds_is_refused_naming_the_file(sandbox) -> None:
    with pytest.raises(WorldFormatError, match="customersdot/orders.jsonl.*start_date"):
        sandbox({"customersdot/orders": [{**ORDER, "start_date": "not a date"}]})


@pytest.mark.slow
def test_the_fault_plan_repeats_with_the_seed(sandbox, postgres_server) -> None:
    def plan(seed: int) -> list[tuple]:
        running = sandbox({}, FaultProfile(seed=seed, rate_drop=0.1, rate_slow=0.1, rate_503=0.2))
        with superuser(running, postgres_server) as con:
            return con.execute("SELECT read_no, fault FROM sandbox.planned_faults ORDER BY read_no").fetchall()

    first = plan(3)
    assert first == plan(3) and first != plan(4)
    assert {fault for _, fault in first} == {"drop", "slow"}
    assert 0.15 < len(first) / 5000 < 0.25
