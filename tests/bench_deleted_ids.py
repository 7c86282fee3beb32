"""Benchmark of the nightly read of Zuora's deleted ids: one job for every object, against a job per object (and
a full load with `--full-load`). Run: `python -m tests.bench_deleted_ids --customers 3000 30000`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any

from assets.extraction import DEFAULT_OVERLAP, extract
from assets.raw_store import connect
from connectors.schema import SourceObject, objects_of, parse_datetime
from connectors.zuora import ZuoraClient
from sandbox.generator import generate
from sandbox.servers import SandboxServers
from sandbox.world import iter_records
from tests.pipelines.world_edits import next_night

ZUORA = objects_of("zuora")


def client_of(servers: SandboxServers) -> ZuoraClient:
    """A Zuora client of the sandbox with the default settings."""
    endpoints = servers.endpoints
    return ZuoraClient(endpoints.zuora_url, endpoints.zuora_client_id, endpoints.zuora_client_secret)


def measured(client: ZuoraClient, work: Any) -> dict[str, Any]:
    """The requests, jobs, polls and seconds `work(client)` costs, and the count it returned (records or ids)."""
    calls, jobs, polls, started = client.api_calls, client.jobs, client.polls, time.monotonic()
    count = work(client)
    return {
        "requests": client.api_calls - calls,
        "jobs": client.jobs - jobs,
        "polls": client.polls - polls,
        "seconds": round(time.monotonic() - started, 2),
        "count": count,
    }


def world_bounds(world: Path) -> dict[SourceObject, dt.datetime]:
    """Each Zuora object's next increment bound after a full load of `world`: its latest watermark less the overlap."""
    return {
        obj: max(parse_datetime(r[obj.watermark]) for r in iter_records(world, obj)) - DEFAULT_OVERLAP
        for obj in ZUORA
    }


def bench(customers: int, out: Path, seed: int, full_load: bool) -> dict[str, Any]:
    """The next night's deleted ids of a world read both ways (and, if asked, a full load of the world first)."""
    shutil.rmtree(out, ignore_errors=True)
    generate(out / "night1", customers=customers, seed=seed)
    next_night(out / "night1", out / "night2", deleted_from=tuple(f"zuora/{o.name}" for o in ZUORA))
    figures: dict[str, Any] = {"customers": customers}
    bounds = world_bounds(out / "night1")
    with SandboxServers(out / "night1") as servers:
        if full_load:
            with client_of(servers) as client, connect(str(out / "raw.duckdb")) as con:
                figures["full_load"] = measured(
                    client, lambda c: sum(extract(con, c, obj, full=True).records_read for obj in ZUORA)
                )
        servers.load_world(out / "night2")
        with client_of(servers) as client:
            client.count(ZUORA[0])  # the token, which the night has already
            later = dt.datetime.now(dt.UTC)  # a job that finds nothing loads the sandbox's engine with the world
            assert not list(client.iter_deleted_id_pages(ZUORA[0], later))
            figures["one_job"] = measured(
                client, lambda c: sum(len(p) for o in ZUORA for p in c.iter_deleted_id_pages(o, bounds[o], bounds))
            )
            figures["job_per_object"] = measured(
                client, lambda c: sum(len(p) for o in ZUORA for p in c.iter_deleted_id_pages(o, bounds[o]))
            )
    figures["as_of"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print(json.dumps(figures), flush=True)
    return figures


def main() -> None:
    """Run the benchmark at the sizes asked for and write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[3000])
    parser.add_argument("--out", type=Path, default=Path("out/bench_deleted_ids"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--full-load", action="store_true", help="measure a full load of the world too")
    args = parser.parse_args()
    results = [bench(n, args.out / str(n), args.seed, args.full_load) for n in args.customers]
    (args.out / "deleted_ids.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
