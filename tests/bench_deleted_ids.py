"""Benchmark of the nightly read of Zuora's deleted ids: one job for every object, against a job per object and
against a full load. Run: `python -m tests.bench_deleted_ids --customers 3000 30000`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any

from assets.extraction import DEFAULT_OVERLAP, extract
from assets.raw_store import connect, stored_watermark
from connectors.schema import objects_of
from connectors.zuora import ZuoraClient
from sandbox.generator import generate
from sandbox.servers import SandboxServers
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


def bench(customers: int, out: Path, seed: int) -> dict[str, Any]:
    """A full load of a world, then the next night's deleted ids read both ways."""
    shutil.rmtree(out, ignore_errors=True)
    generate(out / "night1", customers=customers, seed=seed)
    next_night(out / "night1", out / "night2", deleted_from=tuple(f"zuora/{o.name}" for o in ZUORA))
    figures: dict[str, Any] = {"customers": customers}
    with SandboxServers(out / "night1") as servers, connect(str(out / "raw.duckdb")) as con:
        with client_of(servers) as client:
            full = measured(client, lambda c: sum(extract(con, c, obj, full=True).records_read for obj in ZUORA))
        figures["full_load"] = full
        bounds = {obj: stored_watermark(con, obj) - DEFAULT_OVERLAP for obj in ZUORA}
        servers.load_world(out / "night2")
        with client_of(servers) as client:
            client.count(ZUORA[0])  # the token, which the night has already
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
    args = parser.parse_args()
    results = [bench(n, args.out / str(n), args.seed) for n in args.customers]
    (args.out / "deleted_ids.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
