"""Salesforce through Bulk API 2.0 in the pipeline: raw tables equal the world, full and after deletions."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.raw import RAW_ASSETS
from assets.raw_store import connect
from connectors.schema import coerce_record, objects_of
from pipelines.resources import SalesforceResource
from sandbox.servers import SandboxServers
from sandbox.world import iter_records, read_manifest
from tests.pipelines.sandbox_nights import sandbox_resources
from tests.pipelines.world_edits import next_night

pytestmark = pytest.mark.slow  # a night of bulk jobs through Dagster

SALESFORCE = objects_of("salesforce")


def raw_rows(database) -> dict[str, list[tuple]]:
    with connect(str(database), read_only=True) as con:
        return {o.table: sorted(con.execute(f"SELECT * FROM {o.table}").fetchall(), key=repr) for o in SALESFORCE}


def world_rows(world) -> dict[str, list[tuple]]:
    return {
        o.table: sorted((tuple(coerce_record(o, r).values()) for r in iter_records(world, o)), key=repr)
        for o in SALESFORCE
    }


def test_raw_salesforce_tables_read_through_bulk_jobs_equal_the_world(small_world, tmp_path) -> None:
    following = tmp_path / "next"
    changes = next_night(small_world, following)
    assert changes["salesforce/Opportunity"]["deleted"]
    database = tmp_path / "db.duckdb"
    assets = [a for a in RAW_ASSETS if a.key.path[0] == "raw_salesforce"]
    with SandboxServers(small_world) as servers:
        for world in (small_world, following):
            servers.load_world(world)
            resources = sandbox_resources(servers.endpoints, database, read_manifest(world).as_of, tmp_path)
            resources["salesforce"] = SalesforceResource(
                instance_url=servers.endpoints.salesforce_instance_url,
                session_id=servers.endpoints.salesforce_session_id,
                ca_bundle=str(servers.endpoints.salesforce_ca_bundle),
                bulk_threshold=0,
            )
            result = dg.materialize(assets, resources=resources, instance=dg.DagsterInstance.ephemeral())
            assert result.success
            assert raw_rows(database) == world_rows(world)
        # REST would take one call per object here; a bulk read takes a job, a poll and a results page at least
        assert servers.request_counts()["salesforce"] >= 2 * len(SALESFORCE) * 3
