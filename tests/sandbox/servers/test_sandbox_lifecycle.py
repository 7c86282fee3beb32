"""Starting, stopping and reloading the sandbox servers, and the `serve_forever` entry point."""

from __future__ import annotations

import socket
import threading
import time

import psycopg
import pytest

from sandbox.servers import SandboxServers, serve_forever
from sandbox.world import WorldFormatError


def test_endpoints_and_throwaway_credentials(sandbox) -> None:
    first, second = sandbox({}), sandbox({})
    endpoints = first.endpoints
    assert endpoints.zuora_url.startswith("http://127.0.0.1:")
    assert endpoints.customersdot_database_url.startswith("postgresql://lnr_reader_")
    assert "@127.0.0.1:" in endpoints.customersdot_database_url
    assert (
        endpoints.salesforce_instance_url.startswith("127.0.0.1:")
        and "//" not in endpoints.salesforce_instance_url
    )
    assert len(endpoints.zuora_client_id) == 36 and len(endpoints.zuora_client_secret) <= 42
    assert endpoints.salesforce_ca_bundle.is_file()
    assert endpoints.customersdot_database_url != second.endpoints.customersdot_database_url
    for name in (
        "zuora_client_secret",
        "salesforce_session_id",
        "salesforce_consumer_secret",
        "customersdot_password",
    ):
        assert getattr(endpoints, name) != getattr(second.endpoints, name)


def test_stop_releases_ports_closes_connections_and_removes_the_ca(sandbox) -> None:
    running = sandbox({})
    bundle = running.endpoints.salesforce_ca_bundle
    database = running.endpoints.customersdot_database_url, running.endpoints.customersdot_password
    psycopg.connect(database[0], password=database[1]).close()
    running.servers.stop()
    assert not bundle.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(database[0], password=database[1])
    with pytest.raises(RuntimeError):
        _ = running.servers.endpoints
    restarted = running.servers.start()
    assert restarted.zuora_client_secret != running.endpoints.zuora_client_secret
    assert restarted.salesforce_ca_bundle.is_file()


@pytest.mark.slow
def test_ports_are_configurable(make_world, http, monkeypatch) -> None:
    monkeypatch.setattr(SandboxServers, "shared_postgres", None)
    ports = []
    for _ in range(3):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    world = make_world({})
    with SandboxServers(
        world, zuora_port=ports[0], salesforce_port=ports[1], customersdot_port=ports[2]
    ) as servers:
        assert servers.endpoints.zuora_url == f"http://127.0.0.1:{ports[0]}"
        assert servers.endpoints.salesforce_instance_url == f"127.0.0.1:{ports[1]}"
        assert f"@127.0.0.1:{ports[2]}/" in servers.endpoints.customersdot_database_url
        with pytest.raises(OSError):
            SandboxServers(world, zuora_port=ports[0]).start()


def test_request_counts_per_system(sandbox) -> None:
    running = sandbox({})
    token = running.zuora.token()
    running.zuora.query("select Id from Account", token)
    running.salesforce.query("SELECT Id FROM Account")
    assert running.servers.request_counts() == {"zuora": 2, "salesforce": 1}


def test_load_world_swaps_the_served_world(sandbox, make_world) -> None:
    night_one = {
        "zuora/Subscription": [{"Id": "1" * 32, "UpdatedDate": "2026-11-25T10:00:00.000-08:00"}],
        "salesforce/Account": [
            {"Id": "001000000000000001", "SystemModstamp": "2026-11-25T10:00:00.000+0000"}
        ],
        "customersdot/orders": [{"id": 1, "updated_at": "2026-11-25T10:00:00.000Z"}],
    }
    night_two = {
        "zuora/Subscription": [
            *night_one["zuora/Subscription"],
            {"Id": "2" * 32, "UpdatedDate": "2026-11-26T10:00:00.000-08:00"},
        ],
        "salesforce/Account": [
            *night_one["salesforce/Account"],
            {"Id": "001000000000000002", "SystemModstamp": "2026-11-26T19:00:00.000+0000"},
        ],
        "customersdot/orders": [
            *night_one["customersdot/orders"],
            {"id": 2, "updated_at": "2026-11-26T19:00:00.000Z"},
        ],
    }
    running = sandbox(night_one)
    zoql = "select Id from Subscription where UpdatedDate >= '2026-11-26T00:00:00Z'"
    soql = "SELECT Id FROM Account WHERE SystemModstamp >= 2026-11-26T00:00:00Z"
    token = running.zuora.token()
    assert running.zuora.query(zoql, token).json()["size"] == 0
    running.servers.load_world(make_world(night_two, name="night-two", as_of="2026-11-28"))
    assert running.zuora.query(zoql, token).json()["records"] == [{"Id": "2" * 32}]
    assert running.salesforce.query(soql).json()["totalSize"] == 1
    endpoints = running.endpoints
    with psycopg.connect(endpoints.customersdot_database_url, password=endpoints.customersdot_password) as con:
        fresh = con.execute("SELECT id FROM orders WHERE updated_at >= '2026-11-26T00:00:00Z'").fetchall()
        assert fresh == [(2,)] and con.execute("SELECT count(*) FROM orders").fetchone() == (2,)


def test_a_directory_that_is_not_a_world_is_refused(tmp_path) -> None:
    with pytest.raises(WorldFormatError):
        SandboxServers(tmp_path).start()


def test_serve_forever_prints_urls_and_credentials_until_told_to_stop(make_world, capsys, http) -> None:
    until = threading.Event()
    thread = threading.Thread(target=serve_forever, args=(make_world({}),), kwargs={"until": until})
    thread.start()
    deadline = time.monotonic() + 10
    printed = ""
    while "Ctrl-C" not in printed and time.monotonic() < deadline:
        time.sleep(0.02)
        printed += capsys.readouterr().out
    until.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    lines = dict(line.split(None, 1) for line in printed.splitlines() if line.startswith("  "))
    assert set(lines) >= {
        "zuora_url",
        "zuora_client_id",
        "salesforce_instance_url",
        "customersdot_database_url",
        "customersdot_password",
    }
    assert "as of 2026-11-27" in printed
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(lines["customersdot_database_url"], password=lines["customersdot_password"])


def test_without_the_sandbox_extra_the_servers_say_how_to_install_it(monkeypatch, tmp_path):
    import sys

    from sandbox.servers.tls import SandboxUnavailable, throwaway_tls

    monkeypatch.setitem(sys.modules, "trustme", None)
    with pytest.raises(SandboxUnavailable, match=r"pip install 'lnr-audit\[sandbox\]'"):
        throwaway_tls(("127.0.0.1",), tmp_path)
