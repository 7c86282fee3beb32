"""Zuora read by the action query and by Data Query gives the same raw tables, increments and deletions included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assets.extraction import ExtractionResult, extract
from assets.raw_store import connect
from connectors.connection import Connection
from connectors.data_query import DataQuerySettings
from connectors.schema import coerce_record, objects_of, source_object
from connectors.zuora import ZuoraClient
from sandbox.generator import generate
from sandbox.servers import SandboxServers
from sandbox.world import iter_records, read_records, write_records
from tests.pipelines.world_edits import next_night

pytestmark = pytest.mark.slow  # two extraction paths over several served nights

ZUORA = objects_of("zuora")
QUERY, BULK = 10**9, 0  # thresholds that send every read to the action query, or every non-empty one to Data Query
DELETED_FROM = ("zuora/Subscription", "zuora/RatePlanCharge", "zuora/Invoice", "zuora/InvoiceItem")


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> tuple[Path, Path, dict[str, dict[str, set]]]:
    """A small generated world, the next night's with deletions in parent and child objects, and the changes."""
    root = tmp_path_factory.mktemp("zuora_paths")
    generate(root / "night1", customers=60, seed=5)
    changes = next_night(root / "night1", root / "night2", share=0.03, deleted_from=DELETED_FROM)
    return root / "night1", root / "night2", changes


def extract_zuora(
    servers: SandboxServers, database: Path, threshold: int, *, full: bool = False
) -> dict[str, ExtractionResult]:
    """Extract every Zuora object into `database` (in `full`), reads above `threshold` records through Data Query."""
    endpoints = servers.endpoints
    settings = DataQuerySettings(bulk_threshold=threshold, poll_initial=0.01)
    with (
        ZuoraClient(
            endpoints.zuora_url,
            endpoints.zuora_client_id,
            endpoints.zuora_client_secret,
            page_size=50,
            connection=Connection(backoff_base=0.01),
            data_query=settings,
        ) as client,
        connect(str(database)) as con,
    ):
        return {obj.name: extract(con, client, obj, full=full) for obj in ZUORA}


def raw_rows(database: Path) -> dict[str, list[tuple]]:
    """Every Zuora raw table's rows, sorted."""
    with connect(str(database), read_only=True) as con:
        return {obj.name: sorted(con.execute(f"SELECT * FROM {obj.table}").fetchall(), key=repr) for obj in ZUORA}


def world_rows(world: Path) -> dict[str, list[tuple]]:
    """Every Zuora world file's records as typed rows, sorted as `raw_rows` sorts."""
    return {
        obj.name: sorted((tuple(coerce_record(obj, r).values()) for r in iter_records(world, obj)), key=repr)
        for obj in ZUORA
    }


def test_both_paths_give_the_world_record_for_record(nights, tmp_path) -> None:
    night1, _, _ = nights
    with SandboxServers(night1, zuora_job_seconds=0.0) as servers:
        by_query = extract_zuora(servers, tmp_path / "query.duckdb", QUERY)
        by_bulk = extract_zuora(servers, tmp_path / "bulk.duckdb", BULK)
    assert {r.path for r in by_query.values()} == {"query"} and {r.jobs for r in by_query.values()} == {0}
    assert {r.path for r in by_bulk.values()} == {"bulk"} and all(r.jobs >= 1 for r in by_bulk.values())
    assert raw_rows(tmp_path / "query.duckdb") == raw_rows(tmp_path / "bulk.duckdb") == world_rows(night1)


def test_a_full_reload_chooses_data_query_by_the_previous_snapshot_without_a_size_probe(nights, tmp_path) -> None:
    night1, _, _ = nights
    database = tmp_path / "db.duckdb"
    with SandboxServers(night1, zuora_job_seconds=0.0) as servers:
        first = extract_zuora(servers, database, BULK)
        again = extract_zuora(servers, database, BULK, full=True)
    assert raw_rows(database) == world_rows(night1)
    for name, result in again.items():
        if first[name].path == "bulk":
            assert result.path == "bulk" and "expected" in result.path_reason, name
            assert "first page" in first[name].path_reason, name
            # the same jobs and downloads, one action-query page less
            spent, spent_first = result.api_calls - result.polls, first[name].api_calls - first[name].polls
            assert spent == spent_first - 1, name


@pytest.mark.parametrize("threshold", [QUERY, BULK], ids=["query", "bulk"])
def test_an_increment_with_deletions_in_parents_and_children_equals_a_full_load(nights, tmp_path, threshold) -> None:
    night1, night2, changes = nights
    database = tmp_path / "db.duckdb"
    with SandboxServers(night1, zuora_job_seconds=0.0) as servers:
        extract_zuora(servers, database, threshold)
        servers.load_world(night2)
        results = extract_zuora(servers, database, threshold)
    assert raw_rows(database) == world_rows(night2)
    for label in DELETED_FROM:
        result = results[label.split("/")[1]]
        assert changes[label]["deleted"], label
        assert (result.mode, result.reconciled) == ("incremental", False), label
        assert result.deleted == len(changes[label]["deleted"]), label



BALANCED_IN = ("zuora/Subscription", "zuora/RatePlanCharge", "zuora/InvoiceItem")


def balanced_night(world: Path, out: Path, *, drop: int, restore: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Copy `world` to `out` with, in each of BALANCED_IN, `drop` records deleted and the count kept by records
    the increment cannot see: those of `restore` back as they were, then late inserts (new keys, old stamps);
    the deleted records per object."""
    shutil.copytree(world, out)
    deleted = {}
    for label in BALANCED_IN:
        obj = source_object(*label.split("/"))
        records = read_records(world, obj)
        back = restore.get(label, [])
        templates = records[drop : 2 * drop - len(back)]
        late = [{**r, obj.key: f"{r[obj.key][:-6]}L{n:05d}"} for n, r in enumerate(templates)]
        write_records(out, obj, [*records[drop:], *back, *late])
        deleted[label] = records[:drop]
    return deleted


def test_deletions_balanced_by_late_inserts_or_restored_records_are_seen_the_same_night(nights, tmp_path) -> None:
    night1, _, _ = nights
    gone = balanced_night(night1, tmp_path / "n2", drop=2, restore={})
    balanced_night(tmp_path / "n2", tmp_path / "n3", drop=2, restore=gone)
    database = tmp_path / "db.duckdb"
    with SandboxServers(night1, zuora_job_seconds=0.0) as servers:
        extract_zuora(servers, database, QUERY)
        results = []
        for world in (tmp_path / "n2", tmp_path / "n3"):
            servers.load_world(world)
            results.append(extract_zuora(servers, database, QUERY))
            assert raw_rows(database) == world_rows(world), world.name
    for night in results:
        assert sum(r.jobs for r in night.values()) == 1  # one Data Query job read every object's deleted ids
        for label in BALANCED_IN:
            result = night[label.split("/")[1]]
            assert (result.mode, result.reconciled) == ("full", True), label  # the id pass found the unseen ids
