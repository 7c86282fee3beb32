"""Benchmark of growth: the audit alone at several world sizes (its CPU growth exponent and peak memory per phase),
side by side with reladiff's joindiff and a plain DuckDB diff of one 1M-row table pair, full, 1%-changed and unchanged
nights through the real pipeline (the 1%-changed night `--night-repeat` times from the same state, the median run
quoted), and the peak memory of a first full night per phase at two sizes.

Times are CPU seconds of the process and its DuckDB threads (resource.getrusage), which a shared machine disturbs
far less than wall time; each audit figure is the minimum of `--repeat` runs. Every measured phase runs in a
process of its own, so its peak memory (VmHWM) is its own; a night's sandbox servers run in another process, as
remote systems would, and its peak is sampled against the Dagster step running (tests/step_memory.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import resource
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from assets.raw_store import connect
from checks.engine import AuditSettings, findings_frame, run_audit
from checks.stopwatch import Stopwatch, cpu_seconds
from sandbox.servers import SandboxEndpoints
from sandbox.world import read_manifest, write_manifest
from tests.remote_sandbox import RemoteSandbox
from tests.step_memory import (
    OUTSIDE_STEPS,
    PeakSampler,
    StepSpan,
    phase_peaks,
    run_step_spans,
    status_mb,
    step_peaks,
)
from tests.world_load import load_world

DIFF_ROWS = 1_000_000
LOAD_FIGURES = ("records", "seconds", "peak_rss_mb")
CHANGED_SHARE = 0.005  # next_night updates ~share, deletes ~share where it deletes, adds share: ~1% changed


def quiet_connect(database: Path, *, read_only: bool = False):
    """A connection to `database` that prints no progress bar."""
    con = connect(str(database), read_only=read_only)
    con.execute("SET enable_progress_bar = false")
    return con


def peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM) in MB."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024)


def night_cpu_seconds() -> float:
    """CPU seconds used so far by this process and the child processes it waited for (the validation process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return cpu_seconds() + children.ru_utime + children.ru_stime


def in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`function(*args)` run in a fresh process, with that process's peak memory added as `peak_rss_mb`."""
    # Not a multiprocessing pool: its daemonic workers could not start the night's validation process.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(_measured, function, *args).result()


def _measured(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run `function(*args)` and add the peak memory of the process, unless the function measured its own."""
    result = function(*args)
    return {"peak_rss_mb": peak_rss_mb(), **result}


def world_of(worlds: Path, customers: int, seed: int) -> Path:
    """The generated world of `customers` and `seed`, generated once and kept under `worlds`."""
    from sandbox.generator import generate

    world = worlds / f"{customers}-{seed}"
    if not (world / "manifest.json").exists():
        shutil.rmtree(world, ignore_errors=True)
        started = time.monotonic()
        generate(world, customers=customers, seed=seed)
        print(f"[{customers}] world generated in {time.monotonic() - started:.1f} s", flush=True)
    return world


def timed_load(world: Path, database: Path) -> dict[str, Any]:
    """Type and load every object file of `world` into `database` with the extraction's own load code."""
    database.unlink(missing_ok=True)
    started, cpu = time.monotonic(), cpu_seconds()
    with quiet_connect(database) as con:
        records = load_world(con, world)
    return {"records": records, "seconds": time.monotonic() - started, "cpu_seconds": cpu_seconds() - cpu}


def audit_alone(database: Path, as_of: dt.date) -> dict[str, Any]:
    """Staging and every rule on the loaded `database`: wall and CPU time, findings, the five slowest steps."""
    stopwatch = Stopwatch()
    with quiet_connect(database) as con:
        started, cpu = time.monotonic(), cpu_seconds()
        findings = findings_frame(run_audit(con, AuditSettings(as_of=as_of), stopwatch))
        seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu
        subscriptions = con.execute('SELECT count(DISTINCT "Name") FROM raw_zuora.subscription').fetchall()[0][0]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "findings": findings.height,
        "subscriptions": subscriptions,
        "slowest": [(s.step, round(s.seconds, 3), round(s.cpu_seconds, 3)) for s in stopwatch.slowest(5)],
    }


def bench_audit(worlds: Path, customers: int, seed: int, repeat: int, reload: bool) -> dict[str, Any]:
    """The load and the audit alone of one world size, each in a process of its own (the fastest audit kept);
    the loaded database is kept beside the world and reused unless `reload`."""
    world = world_of(worlds, customers, seed)
    database = worlds / f"{customers}-{seed}.duckdb"
    load = None
    if reload or not database.exists():
        load = in_child(timed_load, world, database)
        print(f"[{customers}] loaded {load['records']} records in {load['seconds']:.1f} s", flush=True)
    audits = [in_child(audit_alone, database, read_manifest(world).as_of_date) for _ in range(repeat)]
    for audit in audits:
        print(f"[{customers}] audit {audit['seconds']:.2f} s, {audit['cpu_seconds']:.2f} s CPU, "
              f"{audit['findings']} findings, peak {audit['peak_rss_mb']} MB", flush=True)
    return {"customers": customers, "load": load, "audit": min(audits, key=lambda a: a["cpu_seconds"])}


def diff_pair(database: Path, rows: int) -> None:
    """Two tables of `rows` rows in `database`: the second with 0.1% values changed, 0.02% deleted, 100 added."""
    database.unlink(missing_ok=True)
    with quiet_connect(database) as con:
        con.execute(
            "CREATE TABLE a AS SELECT i AS id, 'name ' || i AS name, (i % 97)::INTEGER AS quantity, "
            "DATE '2024-01-01' + (i % 365)::INTEGER AS day FROM range($rows) AS t(i)",
            {"rows": rows},
        )
        con.execute(
            "CREATE TABLE b AS SELECT id, CASE WHEN id % 1000 = 0 THEN name || ' changed' ELSE name END AS name, "
            "quantity, day FROM a WHERE id % 5000 <> 1 "
            "UNION ALL SELECT $rows + i, 'new', 1, DATE '2024-01-01' FROM range(100) AS t(i)",
            {"rows": rows},
        )


def reladiff_joindiff(database: Path) -> dict[str, Any]:
    """reladiff's joindiff of the pair: differing rows, wall and CPU seconds."""
    from reladiff import connect_to_table, diff_tables

    started, cpu = time.monotonic(), cpu_seconds()
    columns = ("name", "quantity", "day")
    a = connect_to_table(f"duckdb://{database}", "a", "id", extra_columns=columns)
    b = connect_to_table(f"duckdb://{database}", "b", "id", extra_columns=columns)
    differences = sum(1 for _ in diff_tables(a, b, algorithm="joindiff"))
    return {"differences": differences, "seconds": time.monotonic() - started, "cpu_seconds": cpu_seconds() - cpu}


def duckdb_diff(database: Path) -> dict[str, Any]:
    """A plain DuckDB full outer join of the pair on its key: differing rows, wall and CPU seconds."""
    started, cpu = time.monotonic(), cpu_seconds()
    with quiet_connect(database, read_only=True) as con:
        rows = con.execute(
            "SELECT a.*, b.* FROM a FULL OUTER JOIN b USING (id) "
            "WHERE a.id IS NULL OR b.id IS NULL OR (a.name, a.quantity, a.day) IS DISTINCT FROM "
            "(b.name, b.quantity, b.day)"
        ).fetchall()
    # reladiff yields a changed row twice (- and +), an added or deleted one once
    differences = sum(2 if a_id is not None and b_id is not None else 1 for a_id, *_, b_id, _, _, _ in rows)
    return {"differences": differences, "seconds": time.monotonic() - started, "cpu_seconds": cpu_seconds() - cpu}


def bench_diff(out: Path, rows: int) -> dict[str, Any]:
    """reladiff's joindiff and a plain DuckDB diff of one pair of `rows`-row tables, each in its own process."""
    database = out / "diff.duckdb"
    in_child(_build_pair, database, rows)
    figures = {
        "rows": rows, "reladiff": in_child(reladiff_joindiff, database), "duckdb": in_child(duckdb_diff, database)
    }
    print(f"[diff] reladiff joindiff {figures['reladiff']['cpu_seconds']:.2f} s CPU, DuckDB "
          f"{figures['duckdb']['cpu_seconds']:.2f} s CPU on {rows} rows", flush=True)
    database.unlink(missing_ok=True)
    return figures


def _build_pair(database: Path, rows: int) -> dict[str, Any]:
    """diff_pair, as a measured step."""
    diff_pair(database, rows)
    return {}


PHASES = (  # the first phase a step belongs to is its phase
    ("raw checks", lambda step: step == "raw_checks"),
    ("extraction", lambda step: step.startswith("raw_")),
    ("staging", lambda step: step == "staging_views"),
    ("rules + history", lambda step: step == "audit_results"),
    ("rule checks", lambda step: step == "rule_checks"),
    ("reports", lambda step: step.startswith("reports__") or step == "audit__unresolved_findings"),
)


def phase_of(step: str) -> str:
    """The phase of the nightly job a step belongs to (itself when none)."""
    for phase, belongs in PHASES:
        if belongs(step):
            return phase
    return step


def run_night(endpoints: SandboxEndpoints, world: Path, out: Path, full_refresh: bool) -> dict[str, Any]:
    """One night of the real pipeline (Dagster, extraction over HTTP(S) and PostgreSQL from sandbox servers running
    in another process, raw checks, staging, rules, history, reports), as `lnr-audit run` runs it, with this
    process's peak memory per phase; its CPU time includes the validation process's."""
    from pipelines.demo import DemoPaths
    from pipelines.nightly import dagster_instance, run_nightly
    from pipelines.settings import resources_from_environment, sandbox_environment

    paths = DemoPaths(out)
    started, cpu, before = time.monotonic(), night_cpu_seconds(), status_mb("VmRSS")
    env = sandbox_environment(endpoints, str(paths.database), read_manifest(world).as_of, str(paths.out))
    instance = dagster_instance(paths.dagster_home)
    with PeakSampler() as sampler:
        summary = run_nightly(resources_from_environment(env), instance, full_refresh=full_refresh)
    if not summary.success:
        raise SystemExit(f"night {summary.as_of} failed: {summary.error}")
    spans = run_step_spans(instance, summary.run_id)
    phases = phase_peaks(step_peaks(sampler.samples, spans), phase_of)
    for child in multiprocessing.active_children():
        child.join()  # the validation process, stopped by the raw checks: reaped, its CPU time counts
    return {
        "seconds": time.monotonic() - started,
        "cpu_seconds": night_cpu_seconds() - cpu,
        "findings": int(summary.findings.get("findings", 0)),
        "records": sum(int(v.get("records_read", 0)) for v in summary.objects.values()),
        "api_calls": sum(int(v.get("api_calls", 0)) for v in summary.objects.values()),
        "slowest_steps": slowest_steps(spans),
        "phase_seconds": phase_seconds(spans, time.monotonic() - started),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(sampler.peak_mb),
        "validation_peak_mb": round(sampler.children_peak_mb),
        "together_peak_mb": round(sampler.together_peak_mb),
        "phase_peaks_mb": {phase: round(peak) for phase, peak in phases.peaks.items()},
        "phase_largest_step": phases.largest_step,
    }


def phase_seconds(spans: list[StepSpan], night_seconds: float) -> dict[str, float]:
    """Wall seconds per phase of a night (its steps' spans summed), and `OUTSIDE_STEPS`: the rest of the night's
    `night_seconds` (loading the definitions, creating the run and its plan, between steps)."""
    phases: dict[str, float] = {}
    for span in spans:
        phase = phase_of(span.step)
        phases[phase] = phases.get(phase, 0.0) + span.ended - span.started
    phases[OUTSIDE_STEPS] = night_seconds - sum(phases.values())
    return {phase: round(seconds, 2) for phase, seconds in phases.items()}


def slowest_steps(spans: list[StepSpan], shown: int = 8) -> list[tuple[str, float]]:
    """The `shown` longest steps of a run (wall seconds from its start to its end in the event log)."""
    took = [(span.step, round(span.ended - span.started, 2)) for span in spans]
    return sorted(took, key=lambda step: -step[1])[:shown]


def audit_findings(database: Path, as_of: dt.date) -> dict[str, Any]:
    """The findings of a full audit of `database` as of `as_of`, as (rule, subject) pairs."""
    with quiet_connect(database) as con:
        frame = findings_frame(run_audit(con, AuditSettings(as_of=as_of)))
    return {"pairs": sorted(frame.select("rule_id", "subject_id").iter_rows())}


def night_findings(database: Path, as_of: dt.date) -> dict[str, Any]:
    """The findings the history holds open on night `as_of`, as (rule, subject) pairs."""
    from checks.history import current_findings

    with quiet_connect(database, read_only=True) as con:
        known = current_findings(con, as_of)
    live = known.filter(known["status"] != "resolved")
    return {"pairs": sorted(live.select("rule_id", "subject_id").iter_rows())}


def full_night(sandbox: RemoteSandbox, world: Path, night_out: Path, customers: int) -> dict[str, Any]:
    """A full night of `world` served by `sandbox`, in its own process, with the servers' readiness figures."""
    full = {**in_child(run_night, sandbox.endpoints, world, night_out, True), **sandbox.readiness}
    print(f"[{customers}] full night {full['seconds']:.1f} s, peak {full['peak_rss_mb']} MB", flush=True)
    return full


def days_later(world: Path, days: int) -> dt.date:
    """Move the audit date of `world` (a copy) `days` on, as its sources would serve it then; the new date."""
    manifest = read_manifest(world)
    manifest.as_of = (manifest.as_of_date + dt.timedelta(days=days)).isoformat()
    write_manifest(world, manifest)
    return manifest.as_of_date


def identical_to_a_full_audit(database: Path, as_of: dt.date) -> bool:
    """Whether the findings the history holds open on night `as_of` are those of a full audit of the raw tables."""
    return in_child(night_findings, database, as_of)["pairs"] == in_child(audit_findings, database, as_of)["pairs"]


def bench_nights(worlds: Path, out: Path, customers: int, seed: int, repeat: int) -> dict[str, Any]:
    """A full night, a night with ~1% of records changed (deletions included) `repeat` times from the state the full
    night left (the run of median wall time quoted), then a night with nothing changed, each in its own process;
    each later night's findings compared with a full audit of the same raw tables."""
    from pipelines.demo import DemoPaths
    from tests.pipelines.world_edits import next_night

    world = world_of(worlds, customers, seed)
    night_out = out / f"nights-{customers}"
    paths, after_full = DemoPaths(night_out), DemoPaths(out / f"nights-{customers}-after-full")
    shutil.rmtree(night_out, ignore_errors=True)
    nights: dict[str, Any] = {"customers": customers}
    with RemoteSandbox(world) as sandbox:
        nights["full"] = full_night(sandbox, world, night_out, customers)
        changed, unchanged = night_out / "world_next", night_out / "world_unchanged"
        next_night(world, changed, share=CHANGED_SHARE)
        shutil.copytree(changed, unchanged)  # the night after, the same records served again
        _copy_state(paths, after_full)
        runs = []
        for run in range(repeat):
            if run:
                _copy_state(after_full, paths)
            night = later_night(sandbox, changed, paths, days=1, reload=not run)
            print(f"[{customers}] incremental night {night['seconds']:.1f} s, peak {night['peak_rss_mb']} MB",
                  flush=True)
            runs.append(night)
        nights["incremental"] = {
            **sorted(runs, key=lambda night: night["seconds"])[(len(runs) - 1) // 2],
            "repeats": [night["seconds"] for night in runs],
            "findings_identical": all(night["findings_identical"] for night in runs),
        }
        nights["unchanged"] = later_night(sandbox, unchanged, paths, days=2)
        print(f"[{customers}] unchanged night {nights['unchanged']['seconds']:.1f} s, "
              f"peak {nights['unchanged']['peak_rss_mb']} MB", flush=True)
    shutil.rmtree(after_full.out, ignore_errors=True)
    shutil.rmtree(night_out, ignore_errors=True)
    return nights


def later_night(sandbox: RemoteSandbox, served: Path, paths: Any, *, days: int, reload: bool = True) -> dict[str, Any]:
    """A night of the world `served` (a copy; on `reload`, its audit date moved `days` on and the servers given it)
    after the state in `paths` (DemoPaths), in its own process, with the servers' readiness figures and whether its
    findings are those of a full audit."""
    if reload:
        days_later(served, days)
        sandbox.load_world(served)
    night = {**in_child(run_night, sandbox.endpoints, served, paths.out, False), **sandbox.readiness}
    night["findings_identical"] = identical_to_a_full_audit(paths.database, read_manifest(served).as_of_date)
    return night


def _copy_state(source: Any, target: Any) -> None:
    """Make `target`'s database and Dagster instance (DemoPaths) copies of `source`'s."""
    shutil.rmtree(target.dagster_home, ignore_errors=True)
    target.out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source.dagster_home, target.dagster_home)
    shutil.copyfile(source.database, target.database)


def bench_memory(worlds: Path, out: Path, customers: int, seed: int) -> dict[str, Any]:
    """A first full night of the world of `customers`, in its own process: its peak memory per phase."""
    world = world_of(worlds, customers, seed)
    night_out = out / f"memory-{customers}"
    shutil.rmtree(night_out, ignore_errors=True)
    with RemoteSandbox(world) as sandbox:
        full = full_night(sandbox, world, night_out, customers)
    shutil.rmtree(night_out, ignore_errors=True)
    return {"customers": customers, "full": full}


def exponents(audits: list[dict[str, Any]]) -> Iterator[tuple[int, int, float]]:
    """The growth exponent of the audit's CPU time between each pair of consecutive sizes."""
    for small, large in zip(audits, audits[1:], strict=False):
        ratio = large["audit"]["cpu_seconds"] / small["audit"]["cpu_seconds"]
        growth = large["customers"] / small["customers"]
        yield small["customers"], large["customers"], math.log(ratio) / math.log(growth)


def print_report(results: dict[str, Any]) -> None:
    """The tables of the benchmark, and its figures against the targets."""
    audits, diff, nights = results["audits"], results["diff"], results["nights"]
    if audits:
        print_audits(audits, diff)
    if nights:
        print_nights(nights)
    print_memory(results["memory"])


def print_audits(audits: list[dict[str, Any]], diff: dict[str, Any]) -> None:
    """The audit alone per world size, its growth exponent and slowest steps, against reladiff and DuckDB."""
    print(f"\n{'customers':>9} {'subs':>8} {'records':>9} {'load s':>7} {'audit s':>8} {'audit CPU s':>11} "
          f"{'findings':>8} {'load MB':>8} {'audit MB':>8}")
    for r in audits:
        a, load = r["audit"], r["load"]
        load = {**load, "seconds": f"{load['seconds']:.1f}"} if load else dict.fromkeys(LOAD_FIGURES, "kept")
        print(f"{r['customers']:>9} {a['subscriptions']:>8} {load['records']:>9} {load['seconds']:>7} "
              f"{a['seconds']:>8.2f} {a['cpu_seconds']:>11.2f} {a['findings']:>8} {load['peak_rss_mb']:>8} "
              f"{a['peak_rss_mb']:>8}")
    for small, large, exponent in exponents(audits):
        print(f"CPU growth exponent of the audit, {small} -> {large} customers: {exponent:.2f} (target <= 1.05)")
    largest = audits[-1]
    print(f"\nslowest steps at {largest['customers']} customers (wall s, CPU s):")
    for step, seconds, cpu in largest["audit"]["slowest"]:
        print(f"  {step:45} {seconds:>8.3f} {cpu:>8.3f}")
    rd, db = diff["reladiff"], diff["duckdb"]
    print(f"\n{diff['rows']}-row pair: reladiff joindiff {rd['seconds']:.2f} s ({rd['cpu_seconds']:.2f} s CPU), "
          f"DuckDB outer join {db['seconds']:.2f} s ({db['cpu_seconds']:.2f} s CPU), "
          f"{rd['differences']} / {db['differences']} differences")
    audit_cpu = largest["audit"]["cpu_seconds"]
    print(f"audit at {largest['customers']} customers / reladiff joindiff: {audit_cpu / rd['cpu_seconds']:.2f}x CPU "
          f"(target <= 3), {largest['audit']['seconds'] / rd['seconds']:.2f}x wall; "
          f"/ DuckDB diff: {audit_cpu / db['cpu_seconds']:.1f}x CPU")


def _with_servers(night: dict[str, Any], figure: str) -> float:
    """A night's `figure` (seconds or cpu_seconds) with the servers' start added."""
    return night[figure] + night[f"servers_{figure}"]


NIGHTS = ("full", "incremental", "unchanged")


def print_nights(nights: list[dict[str, Any]]) -> None:
    """The full, 1%-changed and unchanged nights per world size, their slowest steps and ratios to the full night,
    and whether each later night's findings are those of a full audit."""
    print(f"\n{'customers':>9} {'night':<12} {'seconds':>8} {'CPU s':>8} {'records':>9} {'calls':>7} "
          f"{'findings':>8} {'peak MB':>8} {'valid. MB':>9} {'both MB':>8} {'servers s':>9} {'CPU s':>6}  (peak: the "
          "run's process; valid.: its validation process; both: the two at once; the sandbox servers run in another; "
          "servers: their start or loading the night's world, before the night)")
    for r in nights:
        for name in NIGHTS:
            n = r[name]
            print(f"{r['customers']:>9} {name:<12} {n['seconds']:>8.1f} {n['cpu_seconds']:>8.1f} "
                  f"{n['records']:>9} {n['api_calls']:>7} {n['findings']:>8} {n['peak_rss_mb']:>8} "
                  f"{n['validation_peak_mb']:>9} {n['together_peak_mb']:>8} {n['servers_seconds']:>9.1f} "
                  f"{n['servers_cpu_seconds']:>6.1f}")
        for name in NIGHTS:
            steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in r[name]["slowest_steps"])
            print(f"{'':>9} slowest steps of the {name} night (wall s): {steps}")
            phases = ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in r[name]["phase_seconds"].items())
            print(f"{'':>9} wall s per phase of the {name} night: {phases}")
        repeats = r["incremental"].get("repeats", [])
        print(f"{'':>9} 1% night, {len(repeats)} runs from the state the full night left: "
              + ", ".join(f"{seconds:.1f}" for seconds in repeats) + " s (the median run quoted)")
        full = r["full"]
        ratios = (("incremental", "1% night", " (target <= 20%)"), ("unchanged", "unchanged night", ""))
        for name, label, target in ratios:
            night = r[name]
            print(f"{'':>9} {label} / full night: {night['seconds'] / full['seconds']:.1%} wall{target}, "
                  f"{night['cpu_seconds'] / full['cpu_seconds']:.1%} CPU; with the servers' start: "
                  f"{_with_servers(night, 'seconds') / _with_servers(full, 'seconds'):.0%} wall, "
                  f"{_with_servers(night, 'cpu_seconds') / _with_servers(full, 'cpu_seconds'):.0%} CPU; "
                  f"findings identical to a full audit: {night['findings_identical']}")
    if len(nights) > 1:
        peaks = [max(r[name]["peak_rss_mb"] for name in NIGHTS) for r in nights]
        print(f"night peak RSS of the run's process, {nights[-1]['customers']} / {nights[0]['customers']} "
              f"customers: {peaks[-1] / peaks[0]:.2f}x")


def print_memory(memory: list[dict[str, Any]]) -> None:
    """The run's peak memory per phase of a first full night at each size, and the growth from the smallest."""
    if not memory:
        return
    phases = [phase for phase in (*(p for p, _ in PHASES), OUTSIDE_STEPS)
              if any(phase in r["full"]["phase_peaks_mb"] for r in memory)]
    print(f"\npeak RSS (MB) of the run's process per phase, first full night:\n{'customers':>9} {'before':>7} "
          + " ".join(f"{phase:>15}" for phase in phases)
          + f" {'whole run':>10} {'validation process':>18} {'both at once':>12}")
    for r in memory:
        n = r["full"]
        print(f"{r['customers']:>9} {n['rss_before_mb']:>7} "
              + " ".join(f"{n['phase_peaks_mb'].get(phase, ''):>15}" for phase in phases)
              + f" {n['peak_rss_mb']:>10} {n['validation_peak_mb']:>18} {n['together_peak_mb']:>12}")
        print(f"{'':>9} largest steps: " + ", ".join(f"{k}: {v}" for k, v in n["phase_largest_step"].items()))
    if len(memory) > 1:
        small, large = memory[0], memory[-1]
        print(f"run peak RSS {large['customers']} / {small['customers']} customers: "
              f"{large['full']['peak_rss_mb'] / small['full']['peak_rss_mb']:.2f}x (target <= 1.5); with the "
              f"validation process, both at once: "
              f"{large['full']['together_peak_mb'] / small['full']['together_peak_mb']:.2f}x")


def main() -> None:
    """Run the benchmark, print its tables and write `<out>/bench.json`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    parser.add_argument("--worlds", type=Path, help="where generated worlds are kept (default: <out>/worlds)")
    parser.add_argument(
        "--sizes", default="10000,100000", help="customer counts of the audit alone ('' for none, nor the diff)"
    )
    parser.add_argument("--night-sizes", default="10000,30000", help="customer counts of the nights ('' for none)")
    parser.add_argument("--memory-sizes", default="10000,100000",
                        help="customer counts of the first full nights measured for memory ('' for none)")
    parser.add_argument("--repeat", type=int, default=3, help="audits per size, the fastest kept")
    parser.add_argument("--night-repeat", type=int, default=3,
                        help="1%%-changed nights per size, each from the state the full night left, the median quoted")
    parser.add_argument("--diff-rows", type=int, default=DIFF_ROWS)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reload", action="store_true", help="load the worlds again even when a database is kept")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    worlds = args.worlds or args.out / "worlds"
    sizes = [int(n) for n in args.sizes.split(",") if n]
    results = {
        "audits": [bench_audit(worlds, n, args.seed, args.repeat, args.reload) for n in sizes],
        "diff": bench_diff(args.out, args.diff_rows) if sizes else None,
        "nights": [
            bench_nights(worlds, args.out, int(n), args.seed, args.night_repeat)
            for n in args.night_sizes.split(",")
            if n
        ],
    }
    measured = {r["customers"]: {"customers": r["customers"], "full": r["full"]} for r in results["nights"]}
    results["memory"] = [
        measured.get(int(n)) or bench_memory(worlds, args.out, int(n), args.seed)
        for n in args.memory_sizes.split(",") if n
    ]
    print_report(results)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out / 'bench.json'}")


if __name__ == "__main__":
    main()
