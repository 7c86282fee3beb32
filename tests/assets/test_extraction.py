"""Extraction against the sandbox servers on a tiny world: deletions always seen, and guards on the source's shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets.extraction import ExtractionPolicy, extract
from assets.raw_store import connect, last_reconciliation, quarantined
from checks.held_loads import holds
from checks.raw_checks import quarantine, snapshot_swapped_in
from connectors.schema import source_object
from pipelines.settings import resources_from_environment, sandbox_environment
from sandbox.servers import SandboxServers
from sandbox.world import Manifest, write_manifest, write_records

pytestmark = pytest.mark.servers  # each object is served by the sandbox servers

ACTIVATIONS = source_object("customersdot", "cloud_activations")
ACCOUNTS = source_object("zuora", "Account")
TIER = source_object("zuora", "ProductRatePlanChargeTier")
SF_ACCOUNTS = source_object("salesforce", "Account")
NIGHT1, NIGHT2, NIGHT3 = "2026-11-20T10:00:00.000Z", "2026-11-21T10:00:00.000Z", "2026-11-22T10:00:00.000Z"
LONG_AGO = "2026-01-05T10:00:00.000Z"


def activation(number: int, updated: str = NIGHT1) -> dict:
    return {
        "id": number,
        "customer_id": 1,
        "billing_account_id": 1,
        "activation_code": f"code-{number}",
        "subscription_name": f"A-S{number:08d}",
        "created_at": LONG_AGO,
        "updated_at": updated,
    }


def account(number: int, updated: str = NIGHT1, name: str | None = None) -> dict:
    return {
        "Id": f"8a8{number:029d}",
        "AccountNumber": f"A{number:08d}",
        "Name": name or f"Account {number}",
        "Status": "Active",
        "Currency": "USD",
        "CreatedDate": LONG_AGO,
        "UpdatedDate": updated,
    }


def sf_account(number: int, updated: str = NIGHT1, *, deleted: bool = False, master: int | None = None) -> dict:
    return {
        "Id": f"001{number:015d}",
        "Name": f"Account {number}",
        "MasterRecordId": f"001{master:015d}" if master else None,
        "IsDeleted": deleted,
        "Type": "Customer",
        "BillingCountry": "US",
        "CreatedDate": LONG_AGO,
        "SystemModstamp": updated,
    }


class Source:
    """The sandbox servers over a world that each test rewrites night by night, and a DuckDB file."""

    def __init__(self, root: Path, servers: SandboxServers):
        self.root, self.servers, self.nights = root, servers, 0
        self.con = connect(str(root / "raw.duckdb"))
        env = sandbox_environment(servers.endpoints, str(root / "raw.duckdb"), "2026-11-22", str(root))
        resources = resources_from_environment(env)
        self.clients = {name: resources[name].client() for name in ("zuora", "salesforce", "customersdot")}
        for client in self.clients.values():
            client.page_size = 2  # so that the tiny objects are loaded incrementally, as large ones are

    def serve(self, records: dict) -> None:
        """Serve a new world holding `records` per source object (the others empty)."""
        self.nights += 1
        world = self.root / f"night{self.nights}"
        write_manifest(world, Manifest(as_of="2026-11-22"))
        for obj, rows in records.items():
            write_records(world, obj, rows)
        self.servers.load_world(world)

    def extract(self, obj, **options):
        """Extract `obj` from its system's client into the DuckDB file."""
        return extract(self.con, self.clients[obj.system], obj, **options)

    def keys(self, obj) -> list:
        """The keys in `obj`'s raw table, sorted."""
        return [row[0] for row in self.con.execute(f'SELECT "{obj.key}" FROM {obj.table} ORDER BY 1').fetchall()]


@pytest.fixture
def source(tmp_path) -> Iterator[Source]:
    first = tmp_path / "empty"
    write_manifest(first, Manifest(as_of="2026-11-22"))
    with SandboxServers(first) as servers:
        opened = Source(tmp_path, servers)
        yield opened
        for client in opened.clients.values():
            client.close()
        opened.con.close()


def test_a_deletion_balanced_by_a_late_insert_is_seen_where_ids_are_cheap(source):
    source.serve({ACTIVATIONS: [activation(n) for n in range(1, 7)]})
    assert source.extract(ACTIVATIONS).mode == "full"
    late_insert = activation(99, updated=LONG_AGO)
    source.serve({ACTIVATIONS: [activation(n) for n in (1, 2, 4, 6)] + [activation(5, NIGHT2), late_insert]})
    result = source.extract(ACTIVATIONS)
    assert (result.mode, result.reconciled) == ("full", True)  # the late insert's id brought a full load
    assert source.keys(ACTIVATIONS) == [1, 2, 4, 5, 6, 99]
    assert last_reconciliation(source.con, ACTIVATIONS).reconciled_at is not None


@pytest.mark.slow
@pytest.mark.parametrize("obj", [ACTIVATIONS, ACCOUNTS], ids=["customersdot", "zuora"])
def test_a_record_deleted_one_night_and_restored_as_it_was_the_next_comes_back(source, obj):
    def world(numbers) -> list[dict]:
        make = activation if obj is ACTIVATIONS else account
        return [make(n, NIGHT1 if n == 6 else LONG_AGO) for n in numbers]  # 3's stamp lies before any increment

    source.serve({obj: world(range(1, 7))})
    source.extract(obj)
    source.serve({obj: world((1, 2, 4, 5, 6))})
    source.extract(obj)
    assert len(source.keys(obj)) == 5
    source.serve({obj: world(range(1, 7))})
    restored = source.extract(obj)
    assert (restored.mode, restored.reconciled) == ("full", True)  # its id, unseen by the increment, was found
    assert source.keys(obj) == sorted(r[obj.key] for r in world(range(1, 7)))


def test_cheap_ids_are_reconciled_every_incremental_night(source):
    source.serve({ACTIVATIONS: [activation(n) for n in range(1, 7)]})
    source.extract(ACTIVATIONS)
    first = last_reconciliation(source.con, ACTIVATIONS)
    source.serve({ACTIVATIONS: [activation(n) for n in (1, 2, 4, 5, 6)] + [activation(7, NIGHT2)]})
    result = source.extract(ACTIVATIONS)
    assert (result.mode, result.reconciled) == ("incremental", True)
    assert source.keys(ACTIVATIONS) == [1, 2, 4, 5, 6, 7]
    now = last_reconciliation(source.con, ACTIVATIONS)
    assert now.reconciled_at > first.reconciled_at and now.full_loaded_at == first.full_loaded_at


def test_a_deletion_balanced_by_a_late_insert_is_seen_where_the_source_reports_deleted_ids(source):
    source.serve({ACCOUNTS: [account(n) for n in range(1, 7)]})
    source.extract(ACCOUNTS)
    source.serve({ACCOUNTS: [account(n) for n in (1, 2, 4, 5, 6)] + [account(99, updated=LONG_AGO)]})
    balanced = source.extract(ACCOUNTS)
    assert (balanced.mode, balanced.reconciled) == ("full", True)  # account 3 reported deleted, so the count differs
    assert source.keys(ACCOUNTS) == [account(n)["Id"] for n in (1, 2, 4, 5, 6, 99)]


def test_costly_ids_wait_for_the_periodic_full_reload(source):
    source.serve({ACCOUNTS: [account(n) for n in range(1, 7)]})
    source.extract(ACCOUNTS)
    first = last_reconciliation(source.con, ACCOUNTS)
    source.serve({ACCOUNTS: [account(n) for n in (1, 2, 4, 5, 6)] + [account(99, updated=LONG_AGO)]})
    on_count_changes = ExtractionPolicy(deleted_ids_every_night=False)
    balanced = source.extract(ACCOUNTS, policy=on_count_changes)
    assert (balanced.mode, balanced.reconciled) == ("incremental", False)
    assert last_reconciliation(source.con, ACCOUNTS) == first
    reload = source.extract(
        ACCOUNTS, policy=ExtractionPolicy(full_reload_every=dt.timedelta(0), deleted_ids_every_night=False)
    )
    assert reload.mode == "full"
    assert source.keys(ACCOUNTS) == [account(n)["Id"] for n in (1, 2, 4, 5, 6, 99)]
    assert last_reconciliation(source.con, ACCOUNTS).full_loaded_at > first.full_loaded_at


def test_salesforce_deletions_merges_purges_and_restores_come_out_as_the_source_holds_them(source):
    def rows() -> list[tuple]:
        sql = f'SELECT "Id", "IsDeleted", "MasterRecordId" FROM {SF_ACCOUNTS.table} ORDER BY 1'
        return source.con.execute(sql).fetchall()

    def expected(accounts: list[dict]) -> list[tuple]:
        return sorted((a["Id"], a["IsDeleted"], a["MasterRecordId"]) for a in accounts)

    source.serve({SF_ACCOUNTS: [sf_account(n) for n in range(1, 7)]})
    source.extract(SF_ACCOUNTS)
    # 1 deleted and 7 inserted, 2 merged into 3, 4 purged from the recycle bin and 8 inserted
    night2 = [
        sf_account(1, NIGHT2, deleted=True),
        sf_account(2, NIGHT2, deleted=True, master=3),
        *(sf_account(n) for n in (3, 5, 6)),
        sf_account(7, NIGHT2),
        sf_account(8, NIGHT2),
    ]
    source.serve({SF_ACCOUNTS: night2})
    result = source.extract(SF_ACCOUNTS)
    assert (result.mode, result.reconciled) == ("incremental", True)  # the purge showed in queryAll's count
    assert rows() == expected(night2)
    night3 = [sf_account(1, NIGHT3), *night2[1:]]  # account 1 restored from the recycle bin
    source.serve({SF_ACCOUNTS: night3})
    result = source.extract(SF_ACCOUNTS)
    assert (result.mode, result.records_read) == ("incremental", 4)  # 1, and night 2's 2, 7, 8 within the overlap
    assert rows() == expected(night3)


def duplicated_account_night(first_twin: dict, second_twin: dict) -> list[dict]:
    return [account(n) for n in range(1, 5)] + [first_twin, second_twin]


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_a_duplicate_id_keeps_the_latest_record_and_is_quarantined(source, incremental):
    if incremental:
        source.serve({ACCOUNTS: [account(n) for n in range(1, 6)]})
        source.extract(ACCOUNTS)
    older, newer = account(5, NIGHT1, name="Older"), account(5, NIGHT2, name="Newer")
    source.serve({ACCOUNTS: duplicated_account_night(newer, older)})
    result = source.extract(ACCOUNTS)
    assert result.mode == ("incremental" if incremental else "full")
    assert result.duplicates == 1 and not result.held
    assert source.con.execute(
        'SELECT count(*), min("Name") FROM raw_zuora.account WHERE "Id" = ?', [newer["Id"]]
    ).fetchall() == [(1, "Newer")]
    [(key, reason)] = quarantined(source.con, ACCOUNTS)
    assert key == newer["Id"] and f"duplicate id {newer['Id']}" in reason
    passed, metadata = quarantine(source.con, ACCOUNTS)
    assert not passed and newer["Id"] in metadata["records"].value


def test_duplicates_with_the_same_watermark_resolve_the_same_way_in_any_order(source):
    kept = []
    for pair in (
        (account(5, name="Beta"), account(5, name="Alpha")),
        (account(5, name="Alpha"), account(5, name="Beta")),
    ):
        source.serve({ACCOUNTS: duplicated_account_night(*pair)})
        source.extract(ACCOUNTS, full=True)
        kept.append(
            source.con.execute('SELECT "Name" FROM raw_zuora.account WHERE "Id" = ?', [pair[0]["Id"]]).fetchall()
        )
    assert kept[0] == kept[1] and len(kept[0]) == 1


@pytest.mark.slow
@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_an_emptied_object_keeps_its_previous_snapshot_and_fails_its_check(source, full):
    source.serve({ACTIVATIONS: [activation(n) for n in range(1, 7)]})
    source.extract(ACTIVATIONS)
    source.serve({ACTIVATIONS: []})
    result = source.extract(ACTIVATIONS, full=full)
    assert "0 rows where the previous snapshot held 6" in result.held
    assert result.rows == 6 and source.keys(ACTIVATIONS) == [1, 2, 3, 4, 5, 6]
    passed, metadata = snapshot_swapped_in(source.con, ACTIVATIONS)
    assert not passed and (metadata["previous_rows"], metadata["source_rows"]) == (6, 0)
    assert "cloud_licensing_mismatch" in metadata["rules_held_back"].value
    source.serve({ACTIVATIONS: [activation(n) for n in range(1, 6)]})
    assert not source.extract(ACTIVATIONS).held
    assert snapshot_swapped_in(source.con, ACTIVATIONS)[0] and source.keys(ACTIVATIONS) == [1, 2, 3, 4, 5]
    source.serve({ACTIVATIONS: []})
    assert source.extract(ACTIVATIONS, full=full).held
    accepted = source.extract(ACTIVATIONS, full=full, accept_shape=True)
    assert not accepted.held and source.keys(ACTIVATIONS) == [] and holds(source.con) == {}


def test_a_fall_beyond_the_allowed_drop_is_held_and_a_smaller_one_is_not(source):
    source.serve({ACCOUNTS: [account(n) for n in range(1, 11)]})
    source.extract(ACCOUNTS)
    source.serve({ACCOUNTS: [account(n) for n in range(1, 5)]})
    held = source.extract(ACCOUNTS, full=True)
    assert "4 rows where the previous snapshot held 10" in held.held and held.rows == 10
    assert holds(source.con)["zuora/Account"].source_rows == 4
    allowed = source.extract(ACCOUNTS, full=True, policy=ExtractionPolicy(max_row_drop=0.7))
    assert not allowed.held and allowed.rows == 4 and holds(source.con) == {}


def test_an_empty_first_load_is_reported_when_the_catalogue_reads_the_object(source):
    source.serve({})
    first = source.extract(ACTIVATIONS)
    assert "empty on its first load" in first.held and "sm_subscription_without_license" in first.held
    assert not source.extract(TIER).held
    passed, _ = snapshot_swapped_in(source.con, ACTIVATIONS)
    assert not passed and snapshot_swapped_in(source.con, TIER)[0]
