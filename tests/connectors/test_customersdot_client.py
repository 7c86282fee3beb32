"""CustomersDot specifics: its PostgreSQL database read in keyset batches, with the database's own faults."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from connector_worlds import AS_OF, CD_CUSTOMERS, CD_ORDERS, customersdot_client, make_record, stamp, typed
from psycopg.conninfo import conninfo_to_dict

from connectors.errors import AuthenticationError, ExtractionError
from connectors.schema import objects_of
from sandbox.world import Manifest, write_manifest, write_records

SLOW = {"statement_timeout": 0.3}


def superuser(postgres_server, endpoints):
    """A superuser connection to the sandbox's CustomersDot database."""
    return postgres_server.connect(conninfo_to_dict(endpoints.customersdot_database_url)["dbname"])


def read(client, obj, **kwargs) -> tuple[list[int], list[dict]]:
    """The batch sizes and rows of one read."""
    pages = list(client.iter_pages(obj, **kwargs))
    return [len(p) for p in pages], [r for p in pages for r in p]


def test_every_table_equals_the_world_read_in_keyset_batches(world, endpoints) -> None:
    with customersdot_client(endpoints, page_size=10) as client:
        for obj in objects_of("customersdot"):
            _, rows = read(client, obj)
            assert typed(obj, rows) == typed(obj, world.records.get(obj, [])), obj.name
        sizes, rows = read(client, CD_ORDERS)
    assert sizes == [10, 10, 10, 10, 5]
    assert [r["id"] for r in rows] == list(range(1, 46))
    assert all(list(r) == list(CD_ORDERS.field_names) for r in rows)


def test_incremental_reads_keep_rows_updated_since_in_watermark_order(world, endpoints) -> None:
    with customersdot_client(endpoints, page_size=4) as client:
        sizes, rows = read(client, CD_ORDERS, since=stamp(40))
        assert read(client, CD_ORDERS, since=stamp(10_000)) == ([], [])
    assert sizes == [4, 1]
    assert typed(CD_ORDERS, rows) == typed(CD_ORDERS, world.records[CD_ORDERS][40:])


def test_count_and_ids_in_batches(world, endpoints, monkeypatch) -> None:
    monkeypatch.setattr("connectors.customersdot.IDS_PAGE_SIZE", 20)
    empty = next(o for o in objects_of("customersdot") if o not in world.records)
    with customersdot_client(endpoints) as client:
        assert client.count(CD_ORDERS) == 45
        assert [len(p) for p in client.iter_id_pages(CD_ORDERS)] == [20, 20, 5]
        assert [i for p in client.iter_id_pages(CD_ORDERS) for i in p] == list(range(1, 46))
        assert client.count(empty) == 0 and list(client.iter_id_pages(empty)) == []
        assert client.ids_are_cheap(CD_ORDERS)


def test_extra_columns_are_left_out_and_missing_optional_ones_tolerated(tmp_path, serve, postgres_server) -> None:
    write_manifest(tmp_path, Manifest(as_of=AS_OF))
    write_records(tmp_path, CD_CUSTOMERS, [{**make_record(CD_CUSTOMERS, 0), "encrypted_password": "x"}])
    servers = serve(tmp_path)
    with superuser(postgres_server, servers.endpoints) as con:
        assert "encrypted_password" in {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns")}
        con.execute("ALTER TABLE customers DROP COLUMN company")
    with customersdot_client(servers.endpoints) as client:
        (row,) = read(client, CD_CUSTOMERS)[1]
    assert set(row) == set(CD_CUSTOMERS.field_names) - {"company"}


def test_a_missing_table_fails_at_once_naming_the_host_and_table(serve, postgres_server) -> None:
    servers = serve()
    with superuser(postgres_server, servers.endpoints) as con:
        con.execute("DROP TABLE orders")
    with customersdot_client(servers.endpoints) as client:
        with pytest.raises(ExtractionError) as info:
            read(client, CD_ORDERS)
        assert client.api_calls == 1
    host = servers.endpoints.customersdot_database_url.split("@")[1].split("/")[0]
    assert info.value.system == "customersdot"
    assert host in str(info.value) and "public.orders" in str(info.value) and "table not found" in str(info.value)


@pytest.mark.parametrize("fault", ["drop", "slow", "restart"])
def test_database_faults_mid_read_are_survived_with_the_same_result(fault, world, serve, caplog) -> None:
    servers = serve(script=(fault,), fault_row=15, slow_seconds=2.0)
    caplog.set_level(logging.WARNING, "connectors")
    options = {"page_size": 10, "max_attempts": 10, "backoff_max": 0.5, **SLOW}
    with customersdot_client(servers.endpoints, **options) as client:
        sizes, rows = read(client, CD_ORDERS)
        faulty_calls = client.api_calls
    assert sizes == [10, 10, 10, 10, 5]
    assert typed(CD_ORDERS, rows) == typed(CD_ORDERS, world.records[CD_ORDERS])
    retries = [r.getMessage() for r in caplog.records if "retry 1 of 9" in r.getMessage()]
    expected = {"drop": "terminating connection", "slow": "statement timeout", "restart": "terminating connection"}
    assert len(retries) >= 1 and expected[fault] in retries[0], retries
    assert faulty_calls > 7


def test_exhausted_retries_name_the_table_and_the_last_cause(serve) -> None:
    servers = serve(rate_slow=1.0, fault_row=1, slow_seconds=1.0)
    with customersdot_client(servers.endpoints, max_attempts=2, **SLOW) as client:
        with pytest.raises(ExtractionError) as info:
            read(client, CD_ORDERS)
    assert "public.orders: gave up after 2 attempts; last: 57014" in str(info.value)
    assert "statement timeout" in str(info.value)


def test_a_refused_password_fails_at_once_without_showing_it(serve) -> None:
    servers = serve(refuse_password=True)
    password = servers.endpoints.customersdot_password
    with customersdot_client(servers.endpoints) as client:
        with pytest.raises(AuthenticationError) as info:
            client.count(CD_ORDERS)
        assert password not in repr(client)
    assert "password authentication failed" in str(info.value) and "public.orders" in str(info.value)
    assert password not in str(info.value) and password not in repr(info.value.__cause__)


def test_a_password_in_the_url_is_never_shown(endpoints) -> None:
    url = endpoints.customersdot_database_url.replace("@", f":{endpoints.customersdot_password}@", 1)
    with customersdot_client(dataclasses.replace(endpoints, customersdot_database_url=url)) as client:
        assert client.count(CD_ORDERS) == 45
        assert endpoints.customersdot_password not in repr(client)


def test_the_password_may_come_from_a_pgpass_file(endpoints, tmp_path, monkeypatch) -> None:
    params = conninfo_to_dict(endpoints.customersdot_database_url)
    pgpass = tmp_path / "pgpass"
    fields = [params["host"], params["port"], params["dbname"], params["user"], endpoints.customersdot_password]
    pgpass.write_text(":".join(map(str, fields)) + "\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with customersdot_client(dataclasses.replace(endpoints, customersdot_password=None)) as client:
        assert client.count(CD_ORDERS) == 45


def test_sslmode_is_honoured_and_a_server_without_tls_is_refused_at_once(endpoints) -> None:
    url = endpoints.customersdot_database_url.replace("sslmode=disable", "sslmode=require")
    with customersdot_client(dataclasses.replace(endpoints, customersdot_database_url=url)) as client:
        with pytest.raises(ExtractionError, match="SSL") as info:
            client.count(CD_ORDERS)
    assert "gave up" not in str(info.value)


def test_reads_are_read_only_and_named_lnr_audit(endpoints, postgres_server) -> None:
    with customersdot_client(endpoints, page_size=10) as client, superuser(postgres_server, endpoints) as con:
        pages = client.iter_pages(CD_ORDERS)
        next(pages)
        (state,) = con.execute(
            "SELECT state FROM pg_stat_activity WHERE application_name = 'lnr-audit' AND datname = current_database()"
        ).fetchall()
        pages.close()
        assert state == ("idle in transaction",)
        assert client._connect().execute("SHOW transaction_read_only").fetchone() == ("on",)
