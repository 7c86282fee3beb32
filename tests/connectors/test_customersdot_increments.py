"""CustomersDot increments: ids reconciled every night, so deletions, back-dated inserts and restores are seen."""

from __future__ import annotations

import datetime as dt

import pytest
from connector_worlds import CD_ORDERS, customersdot_client
from psycopg.conninfo import conninfo_to_dict

from assets.extraction import extract
from assets.raw_store import connect


def raw_rows(database) -> list[tuple]:
    """The raw orders table, in id order."""
    return database.execute(f"SELECT * FROM {CD_ORDERS.table} ORDER BY id").fetchall()


@pytest.mark.slow
def test_deleted_backdated_and_restored_rows_give_the_raw_table_of_a_full_load(serve, postgres_server, tmp_path):
    servers = serve()
    dbname = conninfo_to_dict(servers.endpoints.customersdot_database_url)["dbname"]
    nightly, full = connect(str(tmp_path / "nightly.duckdb")), connect(str(tmp_path / "full.duckdb"))

    def night() -> str:
        with customersdot_client(servers.endpoints, page_size=10) as client:
            result = extract(nightly, client, CD_ORDERS)
            extract(full, client, CD_ORDERS, full=True)
        assert raw_rows(nightly) == raw_rows(full)
        return result.mode

    with postgres_server.connect(dbname) as source:
        assert night() == "full"
        source.execute("DELETE FROM orders WHERE id IN (3, 44)")
        assert night() == "incremental" and len(raw_rows(nightly)) == 43
        old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        source.execute("INSERT INTO orders (id, quantity, updated_at) VALUES (100, 5, %s)", [old])
        assert night() == "full" and raw_rows(nightly)[-1][0] == 100
        source.execute("INSERT INTO orders (id, quantity, updated_at) VALUES (3, 9, %s)", [old])
        assert night() == "full" and len(raw_rows(nightly)) == 45
        source.execute("UPDATE orders SET quantity = 77, updated_at = now() WHERE id = 10")
        assert night() == "incremental" and (10, 77) in {(r[0], r[8]) for r in raw_rows(nightly)}
