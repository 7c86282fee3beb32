"""Benchmark of Zuora's extraction paths: the action query, Data Query and the chosen mix, full and incremental.

The world is generated, and served, in processes of their own, so that the peak memory measured is the
extraction's alone (client, staging and DuckDB). Run: `python -m tests.bench_zuora --customers 3000`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from assets.extraction import extract
from assets.raw_store import connect
from connectors.data_query import DataQuerySettings
from connectors.schema import objects_of
from connectors.zuora import ZuoraClient
from sandbox.generator import generate
from sandbox.servers import SandboxServers
from tests.pipelines.world_edits import next_night

PATHS = {"query": 10**12, "bulk": 0, "chosen": DataQuerySettings.bulk_threshold}


def make_worlds(customers: int, out: Path, seed: int) -> None:
    """Generate a world and its next night (in a process of its own)."""
    generate(out / "night1", customers=customers, seed=seed)
    next_night(out / "night1", out / "night2", deleted_from=("zuora/RatePlanCharge", "zuora/InvoiceItem"))


def serve(world: Path, pipe: Connection) -> None:
    """Serve `world`, send the endpoints, then load the worlds asked for until told to stop; each world is
    announced once the sandbox is ready to run Data Query jobs over it, so that its set-up is not measured."""
    with SandboxServers(world) as servers:
        servers.wait_until_ready()
        pipe.send(servers.endpoints)
        while (message := pipe.recv()) != "stop":
            servers.load_world(Path(message))
            servers.wait_until_ready()
            pipe.send("loaded")


def extract_nights(
    endpoints: Any, database: Path, threshold: int, next_world: Path, pipe: Connection, out: Any
) -> None:
    """A first full load, the next night's incremental load, then a full reload of that night (its size known
    from the previous snapshot); their figures and this process's peak memory."""
    figures = {}
    settings = DataQuerySettings(bulk_threshold=threshold)
    for night, full in (("full", True), ("incremental", False), ("reload", True)):
        if night == "incremental":
            pipe.send(str(next_world))
            pipe.recv()
        with (
            ZuoraClient(
                endpoints.zuora_url, endpoints.zuora_client_id, endpoints.zuora_client_secret, data_query=settings
            ) as client,
            connect(str(database)) as con,
        ):
            results = [extract(con, client, obj, full=full) for obj in objects_of("zuora")]
        records = sum(r.records_read for r in results)
        seconds = sum(r.seconds for r in results)
        figures[night] = {
            "records": records,
            "requests": sum(r.api_calls for r in results),
            "jobs": sum(r.jobs for r in results),
            "polls": sum(r.polls for r in results),
            "seconds": round(seconds, 2),
            "records_per_second": round(records / seconds) if seconds else 0,
            "bulk_objects": sorted(r.object.split("/")[1] for r in results if r.path == "bulk"),
            "deleted": sum(r.deleted for r in results),
            "paths": {r.object.split("/")[1]: f"{r.path}: {r.path_reason}" for r in results if r.jobs},
            "objects": {
                r.object.split("/")[1]: [r.records_read, r.api_calls, r.jobs, r.polls, round(r.seconds, 2)]
                for r in results
            },
        }
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out.put(figures)


def bench(customers: int, out: Path, seed: int) -> dict[str, Any]:
    """Every path's figures at one world size."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    run(make_worlds, customers, out, seed)
    figures: dict[str, Any] = {"customers": customers}
    for path, threshold in PATHS.items():
        ours, theirs = mp.Pipe()
        server = mp.Process(target=serve, args=(out / "night1", theirs))
        server.start()
        endpoints = ours.recv()
        results: Any = mp.Queue()
        run(extract_nights, endpoints, out / f"{path}.duckdb", threshold, out / "night2", ours, results)
        figures[path] = results.get()
        ours.send("stop")
        server.join()
        print(json.dumps({"customers": customers, path: figures[path]}), flush=True)
    return figures


def run(target: Any, *args: Any) -> None:
    """Run `target(*args)` in a child process and wait for it; fail if it fails."""
    process = mp.Process(target=target, args=args)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed with exit code {process.exitcode}")


def main() -> None:
    """Run the benchmark at the sizes asked for and write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[3000])
    parser.add_argument("--out", type=Path, default=Path("out/bench_zuora"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    results = [bench(n, args.out / str(n), args.seed) for n in args.customers]
    (args.out / "zuora_paths.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
