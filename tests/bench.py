"""Benchmark: world generation, full and incremental loads through the real pipeline, and the audit alone."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path
from typing import Any

from assets.raw_store import connect
from checks.engine import AuditSettings, evaluate_all
from pipelines.demo import DemoPaths, audit_world
from pipelines.nightly import NightSummary
from sandbox.generator import generate
from sandbox.servers import SandboxServers
from sandbox.world import read_manifest
from tests.pipelines.world_edits import next_night

SYSTEMS = ("zuora", "salesforce", "customersdot")


def night_figures(summary: NightSummary) -> dict[str, Any]:
    """Time of one night and, per system, records read, API calls, seconds and records/s over its objects."""
    if not summary.success:
        raise SystemExit(f"night {summary.as_of} failed: {summary.error}")
    systems = {}
    for system in SYSTEMS:
        objects = [v for k, v in summary.objects.items() if k.startswith(f"raw_{system}/")]
        records = sum(int(v.get("records_read", 0)) for v in objects)
        seconds = sum(float(v.get("seconds", 0)) for v in objects)
        systems[system] = {
            "records": records,
            "api_calls": sum(int(v.get("api_calls", 0)) for v in objects),
            "seconds": round(seconds, 2),
            "records_per_second": round(records / seconds) if seconds else 0,
        }
    return {"seconds": round(summary.seconds, 2), "systems": systems}


def audit_alone(database: Path, world: Path) -> dict[str, Any]:
    """Time the audit alone (staging built once, every rule evaluated) on the loaded database."""
    settings = AuditSettings(as_of=read_manifest(world).as_of_date)
    with connect(str(database)) as con:
        started = time.monotonic()
        findings = evaluate_all(con, settings)
        seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "findings": findings.height}


def bench_size(customers: int, out: Path, seed: int) -> dict[str, Any]:
    """Every figure of the benchmark for one world size, with its files under `out`."""
    shutil.rmtree(out, ignore_errors=True)
    paths = DemoPaths(out / "run")
    started = time.monotonic()
    manifest = generate(out / "world", customers=customers, seed=seed)
    generation = {"seconds": round(time.monotonic() - started, 2), "records": sum(manifest.counts.values())}
    print(f"[{customers}] generated {generation['records']} records in {generation['seconds']} s", flush=True)
    with SandboxServers(out / "world") as servers:
        full = night_figures(audit_world(servers, out / "world", paths, full_refresh=True))
        print(f"[{customers}] full load in {full['seconds']} s", flush=True)
        next_night(out / "world", out / "world_next")
        incremental = night_figures(audit_world(servers, out / "world_next", paths))
        print(f"[{customers}] incremental load in {incremental['seconds']} s", flush=True)
    audit = audit_alone(paths.database, out / "world_next")
    print(f"[{customers}] audit alone in {audit['seconds']} s, {audit['findings']} findings", flush=True)
    return {
        "customers": customers,
        "generation": generation,
        "full": full,
        "incremental": incremental,
        "audit": audit,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "database_mb": round(paths.database.stat().st_size / 2**20, 1),
    }


def print_table(results: list[dict[str, Any]]) -> None:
    """The summary per size, then the load figures per size, night and system."""
    print(f"\n{'customers':>9} {'records':>9} {'gen s':>7} {'full s':>7} {'incr s':>7} {'audit s':>7} "
          f"{'findings':>8} {'peak RSS MB':>11} {'DuckDB MB':>9}")
    for r in results:
        print(f"{r['customers']:>9} {r['generation']['records']:>9} {r['generation']['seconds']:>7} "
              f"{r['full']['seconds']:>7} {r['incremental']['seconds']:>7} {r['audit']['seconds']:>7} "
              f"{r['audit']['findings']:>8} {r['peak_rss_mb']:>11} {r['database_mb']:>9}")
    print(f"\n{'customers':>9} {'night':<12} {'system':<13} {'records':>9} {'calls':>7} {'seconds':>8} {'rec/s':>8}")
    for r in results:
        for night in ("full", "incremental"):
            for system, s in r[night]["systems"].items():
                print(f"{r['customers']:>9} {night:<12} {system:<13} {s['records']:>9} {s['api_calls']:>7} "
                      f"{s['seconds']:>8} {s['records_per_second']:>8}")


def main() -> None:
    """Run the benchmark for each size, print the tables and write `<out>/bench.json`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    parser.add_argument("--sizes", default="3000,30000", help="comma-separated customer counts")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    results = [bench_size(int(size), args.out / str(size), args.seed) for size in args.sizes.split(",")]
    print_table(results)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out / 'bench.json'}")


if __name__ == "__main__":
    main()
