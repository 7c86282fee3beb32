"""Raw extraction through Dagster: sandbox servers → connectors → DuckDB, with faults, failures and increments."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.raw import RAW_ASSETS
from assets.raw_store import connect
from checks.raw_checks import RAW_CHECKS
from connectors.schema import SOURCE_OBJECTS, coerce_record
from pipelines.nightly import step_failures
from pipelines.settings import resources_from_environment, sandbox_environment
from sandbox.generator import generate
from sandbox.servers import FaultProfile, SandboxServers
from sandbox.world import iter_records, read_manifest
from tests.pipelines.world_edits import next_night
from tests.world_sources import load_world


def materialize_raw(
    servers: SandboxServers, database, world, *, checks: bool = True, **kwargs
) -> dg.ExecuteInProcessResult:
    """Run every raw asset (and, if `checks`, its checks) against the servers into `database`, retrying fast."""
    env = sandbox_environment(servers.endpoints, str(database), read_manifest(world).as_of, str(database.parent))
    resources = resources_from_environment(env)
    retries = {"max_attempts": kwargs.pop("max_attempts", 6), "backoff_base": 0.01, "backoff_max": 0.05}
    for name in ("zuora", "salesforce", "customersdot"):  # built anew: Dagster ignores a model_copy's updates
        options = kwargs.pop("zuora_options", {}) if name == "zuora" else {}
        resources[name] = type(resources[name])(**{**resources[name].model_dump(), **retries, **options})
    return dg.materialize(
        [*RAW_ASSETS, *((RAW_CHECKS,) if checks else ())],
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        **kwargs,
    )


def snapshot(database) -> dict[str, list[tuple]]:
    """Every raw table's rows, sorted."""
    with connect(str(database), read_only=True) as con:
        return {
            obj.table: sorted(con.execute(f"SELECT * FROM {obj.table}").fetchall(), key=repr) for obj in SOURCE_OBJECTS
        }


def world_rows(world) -> dict[str, list[tuple]]:
    """Every world file's records as typed rows, sorted as `snapshot` sorts."""
    return {
        obj.table: sorted((tuple(coerce_record(obj, r).values()) for r in iter_records(world, obj)), key=repr)
        for obj in SOURCE_OBJECTS
    }


def records_read(result: dg.ExecuteInProcessResult) -> int:
    """Records read, as recorded in the raw assets' metadata."""
    return sum(
        int(event.materialization.metadata["records_read"].value) for event in result.get_asset_materialization_events()
    )


@pytest.mark.slow
def test_round_trip_equals_the_world_record_for_record(small_world, tmp_path):
    database = tmp_path / "db.duckdb"
    with SandboxServers(small_world) as servers:
        zuora_options = {"bulk_threshold": 100, "poll_initial": 0.05}
        result = materialize_raw(servers, database, small_world, zuora_options=zuora_options)
    assert result.success
    expected = world_rows(small_world)
    assert snapshot(database) == expected
    assert sum(len(rows) for rows in expected.values()) > 1000
    assert all(check.passed for check in result.get_asset_check_evaluations())
    zuora = {
        event.asset_key.path[1]: {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "raw_zuora"
    }
    # the catalog fits the action query; the larger objects go to Data Query, one job each
    assert {zuora[name]["path"] for name in ("product", "productrateplan")} == {"query"}
    assert {(zuora[name]["path"], zuora[name]["jobs"]) for name in ("subscription", "invoiceitem")} == {("bulk", 1)}
    assert all(meta["polls"] >= meta["jobs"] for meta in zuora.values())
    # a first night has no previous snapshot to tell the size: the first page tells it, and the reason says so
    assert (
        "reports" in zuora["subscription"]["path_reason"]
        and "above the bulk threshold of 100" in zuora["subscription"]["path_reason"]
    )


@pytest.mark.slow
def test_every_fault_class_is_survived_with_the_same_result(small_world, tmp_path):
    faults = FaultProfile(
        seed=5,
        rate_429=0.05,
        rate_500=0.04,
        rate_503=0.04,
        rate_drop=0.04,
        rate_truncate=0.04,
        retry_after=0,
        expire_token_every=7,
    )
    database = tmp_path / "db.duckdb"
    with SandboxServers(small_world, faults=faults) as servers:
        result = materialize_raw(servers, database, small_world, max_attempts=10)
    assert result.success
    assert snapshot(database) == world_rows(small_world)


@pytest.mark.slow
def test_exhausted_retries_fail_the_run_and_keep_the_previous_snapshot(small_world, tmp_path):
    database = tmp_path / "db.duckdb"
    with connect(str(database)) as con:
        load_world(con, small_world)
    before = snapshot(database)
    faults = FaultProfile(seed=1, rate_drop=1.0, fault_row=1, systems=("customersdot",))
    with SandboxServers(small_world, faults=faults) as servers:
        result = materialize_raw(servers, database, small_world, checks=False, max_attempts=2)
    assert not result.success
    message = " ".join(step_failures(result))
    assert "customersdot" in message and "gave up after 2 attempts" in message and "57P01" in message, message
    assert snapshot(database) == before


@pytest.mark.slow
def test_incremental_load_matches_the_changed_world_reading_far_fewer_records(tmp_path):
    world, changed, database = tmp_path / "night1", tmp_path / "night2", tmp_path / "db.duckdb"
    generate(world, customers=1500, seed=12)
    changes = next_night(world, changed)
    assert sum(len(c["deleted"]) for c in changes.values()) > 10
    assert sum(len(c["updated"]) for c in changes.values()) > 100
    with SandboxServers(world) as servers:
        full = materialize_raw(servers, database, world, checks=False)
        servers.load_world(changed)
        incremental = materialize_raw(servers, database, changed, checks=False)
    assert full.success and incremental.success
    assert snapshot(database) == world_rows(changed)
    modes = {e.materialization.metadata["mode"].value for e in incremental.get_asset_materialization_events()}
    assert "incremental" in modes
    assert records_read(incremental) < records_read(full) / 2
    zuora_jobs = [
        e.materialization.metadata["jobs"].value
        for e in incremental.get_asset_materialization_events()
        if e.asset_key.path[0] == "raw_zuora"
    ]
    assert sum(zuora_jobs) == 1  # the run's one Zuora client read every object's deleted ids in one job
    salesforce = {
        e.asset_key.path[-1]: e.materialization.metadata
        for e in incremental.get_asset_materialization_events()
        if e.asset_key.path[0] == "raw_salesforce"
    }
    # the deleted opportunities came flagged in the increment, as the recycle bin shows them: no id listed
    assert changes["salesforce/Opportunity"]["deleted"]
    assert salesforce["opportunity"]["mode"].value == "incremental"
    assert salesforce["opportunity"]["deletions_reconciled"].value is False


@pytest.mark.slow
def test_bad_and_duplicate_records_fail_the_checks_and_wait_in_quarantine(small_world, tmp_path):
    import json
    import shutil

    world = tmp_path / "bad"
    shutil.copytree(small_world, world)
    charges = world / "zuora" / "RatePlanCharge.jsonl"
    lines = charges.read_text(encoding="utf-8").splitlines()
    first, second, third = (json.loads(line) for line in lines[:3])
    lines[1] = json.dumps({**second, "Quantity": -5})
    lines[2] = json.dumps({**third, "EffectiveStartDate": "not a date"})
    lines.append(json.dumps(first))
    charges.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = tmp_path / "db.duckdb"
    with SandboxServers(world) as servers:
        result = materialize_raw(servers, database, world)
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    expectations = evaluations[("raw_zuora/rateplancharge", "raw_expectations")]
    quarantine = evaluations[("raw_zuora/rateplancharge", "no_quarantined_records")]
    assert not expectations.passed and not quarantine.passed
    assert evaluations[("raw_zuora/subscription", "raw_expectations")].passed
    failures = expectations.metadata["failures"].value
    assert "Quantity" in failures and "expect_column_values_to_be_unique" not in failures
    with connect(str(database), read_only=True) as con:
        held = dict(con.execute("SELECT record_key, reason FROM meta.quarantine").fetchall())
        copies = con.execute('SELECT count(*) FROM raw_zuora.rateplancharge WHERE "Id" = ?', [first["Id"]]).fetchall()
    assert set(held) == {str(first["Id"]), str(third["Id"])} and copies == [(1,)]
    assert "EffectiveStartDate" in held[str(third["Id"])] and f"duplicate id {first['Id']}" in held[str(first["Id"])]


@pytest.mark.parametrize("name", ["zuora", "salesforce", "customersdot"])
def test_raw_assets_are_grouped_per_system(name):
    groups = {asset.group_names_by_key[asset.key] for asset in RAW_ASSETS if asset.key.path[0] == f"raw_{name}"}
    assert groups == {f"raw_{name}"}
