"""Benchmark of the Salesforce read paths: REST query, Bulk API 2.0 and the threshold's choice, full and incremental.

Each path extracts every Salesforce object of a generated world into its own DuckDB file, in a
process of its own (so its peak memory is the extraction's, not the sandbox's), then the next night, then
reloads that night in full (its size known from the previous snapshot).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import time
from pathlib import Path
from typing import Any

from assets.extraction import extract
from assets.raw_store import connect
from connectors.connection import Connection
from connectors.salesforce import BULK_THRESHOLD, SalesforceClient
from connectors.schema import objects_of
from sandbox.generator import generate
from sandbox.servers import SandboxEndpoints, SandboxServers
from tests.pipelines.world_edits import next_night

PATHS = {"query": 10**12, "bulk": 0, "chosen": BULK_THRESHOLD}


def _rss_mb() -> int:
    """This process's peak resident memory since it started its program (VmHWM; ru_maxrss survives exec)."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024)


def extract_night(endpoints: SandboxEndpoints, database: str, threshold: int, full: bool, out: Any) -> None:
    """Extract every Salesforce object (in a child process) and put its figures on `out`."""
    client = SalesforceClient(
        endpoints.salesforce_instance_url,
        session_id=endpoints.salesforce_session_id,
        connection=Connection(ca_bundle=str(endpoints.salesforce_ca_bundle)),
        bulk_threshold=threshold,
    )
    baseline = _rss_mb()
    started = time.monotonic()
    records, paths = 0, []
    with connect(database) as con, client:
        for obj in objects_of("salesforce"):
            result = extract(con, client, obj, full=full)
            records += result.records_read
            paths.append(f"{obj.name}:{result.path} ({result.path_reason})")
        seconds = time.monotonic() - started
        out.put(
            {
                "records": records,
                "requests": client.api_calls,
                "counted_calls": client.api_usage[0] if client.api_usage else None,
                "jobs": client.jobs,
                "polls": client.polls,
                "seconds": round(seconds, 2),
                "records_per_second": round(records / seconds),
                "paths": paths,
                "rss_baseline_mb": baseline,
                "rss_peak_mb": _rss_mb(),
            }
        )


def bench_size(customers: int, out: Path, seed: int) -> dict[str, Any]:
    """Figures of every path for one world size."""
    shutil.rmtree(out, ignore_errors=True)
    world, world_next = out / "world", out / "world_next"
    counts = generate(world, customers=customers, seed=seed).counts
    next_night(world, world_next)
    spawn = multiprocessing.get_context("spawn")
    figures: dict[str, Any] = {
        "customers": customers,
        "records": {k: v for k, v in counts.items() if k.startswith("salesforce/")},
    }
    for path, threshold in PATHS.items():
        database = str(out / f"{path}.duckdb")
        with SandboxServers(world, zuora_data_query_at_load=False) as servers:
            # a first full load, the next night's increment, then a full reload with the previous snapshot's size
            nights = (("full", world, True), ("incremental", world_next, False), ("reload", None, True))
            for night, served, full in nights:
                if served is not None:
                    servers.load_world(served)
                queue = spawn.Queue()
                child = spawn.Process(target=extract_night, args=(servers.endpoints, database, threshold, full, queue))
                child.start()
                result = queue.get(timeout=3600)
                child.join()
                figures[f"{path}/{night}"] = result
                print(customers, path, night, json.dumps(result), flush=True)
    return figures


def main() -> None:
    """Run the benchmark per size and write `<out>/bench_salesforce.json`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out/bench-salesforce"))
    parser.add_argument("--sizes", default="3000,30000", help="comma-separated customer counts")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    results = [bench_size(int(size), args.out / size, args.seed) for size in args.sizes.split(",")]
    (args.out / "bench_salesforce.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out / 'bench_salesforce.json'}")


if __name__ == "__main__":
    main()
