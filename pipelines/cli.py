"""The `lnr-audit` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

DESCRIPTION = "Nightly consistency audit of Zuora, Salesforce and CustomersDot for L&R support."


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 or more): {text!r}")
    return seconds


def _open_database(args: argparse.Namespace, *, read_only: bool):
    """The database of `--db`, waiting up to `--wait` seconds for a running audit to release it."""
    from pipelines.database import DEFAULT_WAIT_SECONDS, database_path, open_database

    wait = DEFAULT_WAIT_SECONDS if args.wait is None else args.wait
    return open_database(database_path(args.db), read_only=read_only, wait_seconds=wait)


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate (or take) a world, serve it, audit it, and write the database and reports."""
    from pipelines.demo import DemoPaths, audit_world, copy_findings, prepare_world, print_summary
    from pipelines.nightly import new_run_id
    from pipelines.run_lock import held_run_lock
    from sandbox.servers import SandboxServers

    paths = DemoPaths(Path(args.out))
    paths.out.mkdir(parents=True, exist_ok=True)
    print(f"lnr-audit demo → {paths.out}")
    run_id = new_run_id()
    with held_run_lock(paths.database, run_id):  # a demo running in the same folder keeps its world
        world = prepare_world(paths, Path(args.world) if args.world else None, args.customers, args.seed, args.as_of)
        print(f"world: {world}")
        with SandboxServers(world) as servers:
            summary = audit_world(
                servers, world, paths, as_of=args.as_of, full_refresh=args.full_refresh, log_level="INFO",
                run_id=run_id,
            )
        print_summary(summary)
        if not summary.success:
            return 1
        open_report = copy_findings(paths.out / "reports" / summary.as_of, paths)
    print(f"\ndatabase: {paths.database}\nfindings: {paths.findings_csv}\nreports:  {open_report.parent}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the nightly job once against the sources configured in the environment (or, asked to, the sandbox)."""
    from pipelines.settings import environment, require_sources, resources_from_environment, setting

    if args.sandbox:
        return cmd_demo(
            argparse.Namespace(out=args.sandbox_out, world=None, customers=3000, seed=42, as_of=args.as_of,
                               full_refresh=args.full_refresh)
        )
    require_sources()
    from pipelines.demo import print_summary
    from pipelines.nightly import dagster_instance, run_nightly

    env = dict(environment())
    if args.as_of:
        env["LNR_AS_OF"] = args.as_of.isoformat()
    home = Path(setting("DAGSTER_HOME"))
    summary = run_nightly(
        resources_from_environment(env),
        dagster_instance(home),
        full_refresh=args.full_refresh,
        allow_mixed_nights=args.allow_mixed_nights,
        log_level="INFO",
    )
    print_summary(summary)
    return 0 if summary.success else 1


def cmd_ui(args: argparse.Namespace) -> int:
    """Audit three sandbox nights, then start the Dagster UI on them with the sandbox servers running."""
    from pipelines.demo import DemoPaths, audit_world, night_worlds, print_summary
    from pipelines.nightly import dagster_instance
    from pipelines.settings import environment, sandbox_environment
    from sandbox.servers import SandboxServers

    paths = DemoPaths(Path(args.out))
    if paths.out.exists():
        shutil.rmtree(paths.out)
    worlds = night_worlds(paths, args.customers, args.seed)
    dagster_instance(paths.dagster_home, limit_pools=True)
    with SandboxServers(worlds[0]) as servers:
        for world in worlds:
            summary = audit_world(servers, world, paths)
            print_summary(summary)
        env = {
            **environment(),
            "DAGSTER_HOME": str(paths.dagster_home.resolve()),
            **sandbox_environment(servers.endpoints, str(paths.database.resolve()), summary.as_of, str(paths.out)),
        }
        print(f"\nDagster UI on http://{args.host}:{args.port} (Ctrl-C stops it and the sandbox servers)")
        command = [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            args.host,
            "-p",
            str(args.port),
        ]
        try:
            return subprocess.call(command, env=env)
        except KeyboardInterrupt:
            return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Write a sandbox world."""
    from sandbox.generator import generate

    manifest = generate(
        Path(args.out), customers=args.customers, seed=args.seed, as_of=args.as_of, defects=not args.no_defects
    )
    total = sum(manifest.counts.values())
    print(f"wrote {args.out}: as_of {manifest.as_of}, {total} records in {len(manifest.counts)} files")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a world over the Zuora, Salesforce and CustomersDot protocols until Ctrl-C."""
    from sandbox.servers import serve_forever

    serve_forever(Path(args.world))
    return 0


def cmd_findings_list(args: argparse.Namespace) -> int:
    """Print the findings of the latest night as a table."""
    from checks.history import current_findings, latest_night
    from pipelines.findings_view import filter_findings, render_table

    with _open_database(args, read_only=True) as con:
        night = latest_night(con)
        if night is None:
            print("no night audited yet")
            return 0
        known = current_findings(con, night)
    selected = filter_findings(known, rule=args.rule, severity=args.severity, status=args.status, since=args.since)
    print(f"night {night}")
    print(render_table(selected))
    return 0


def cmd_findings_show(args: argparse.Namespace) -> int:
    """Print one finding in full."""
    from pipelines.findings_view import describe_finding

    with _open_database(args, read_only=True) as con:
        print(describe_finding(con, args.finding_id))
    return 0


def cmd_ack(args: argparse.Namespace) -> int:
    """Acknowledge a finding until a date."""
    from checks.history import acknowledge
    from pipelines.settings import current_user

    with _open_database(args, read_only=False) as con:
        acknowledge(con, args.finding_id, args.reason, args.until, by=current_user())
    print(f"acknowledged {args.finding_id} until {args.until}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the CSV reports of a night again (default: the latest)."""
    from assets.report_data import report_frames
    from assets.reports import write_reports
    from checks.history import latest_night
    from pipelines.settings import setting

    with _open_database(args, read_only=True) as con:
        night = args.as_of or latest_night(con)
        if night is None:
            print("no night audited yet")
            return 1
        known, summary = report_frames(con, night)
    files = write_reports(known, summary, Path(args.out or setting("LNR_REPORTS_DIR")), night)
    print(f"wrote {files.folder}")
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    """Print the rule catalogue as Markdown."""
    from pipelines.catalogue_doc import render_catalogue

    print(render_catalogue(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from checks.findings import ACKNOWLEDGED, SEVERITY_NAMES, STATUS_NAMES

    parser = argparse.ArgumentParser(prog="lnr-audit", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler, help_text: str, parent=commands) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def with_db(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--db", help="the DuckDB file (default: LNR_DUCKDB_PATH or lnr_audit.duckdb)")
        sub.add_argument(
            "--wait",
            type=_seconds,
            metavar="SECONDS",
            help="how long to wait for a running audit to release the database (default: 10)",
        )

    demo = command("demo", cmd_demo, "Run the whole pipeline on a sandbox world served locally.")
    demo.add_argument("--world", help="audit this lnr-world/1 directory instead of generating one")
    demo.add_argument("--out", default="out/demo", help="folder for the world, database and reports")
    demo.add_argument("--customers", type=int, default=3000, help="size of a generated world")
    demo.add_argument("--seed", type=int, default=42, help="seed of a generated world")
    demo.add_argument("--as-of", type=_date, help="audit date (default: the world's as_of)")
    demo.add_argument("--full-refresh", action="store_true", help="reload every object in full")

    run = command("run", cmd_run, "Run the nightly audit once against the configured sources (LNR_* variables).")
    run.add_argument("--as-of", type=_date, help="audit date (default: LNR_AS_OF or today, UTC)")
    run.add_argument("--full-refresh", action="store_true", help="reload every object in full")
    run.add_argument(
        "--allow-mixed-nights",
        action="store_true",
        help="audit even when the raw tables hold different nights (some objects failed to load on a past run)",
    )
    run.add_argument("--sandbox", action="store_true", help="audit a generated sandbox world instead of the sources")
    run.add_argument("--sandbox-out", default="out/sandbox", help="where the --sandbox run goes")

    ui = command("ui", cmd_ui, "Audit three sandbox nights and open the Dagster UI on them.")
    ui.add_argument("--out", default="out/ui", help="folder for the worlds, database and Dagster instance")
    ui.add_argument("--customers", type=int, default=1000, help="size of the generated worlds")
    ui.add_argument("--seed", type=int, default=7, help="seed of the generated worlds")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)

    sandbox = command("sandbox", None, "Generate and serve sandbox worlds.")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="COMMAND")
    gen = command("generate", cmd_generate, "Write a synthetic lnr-world/1 world.", sandbox_commands)
    gen.add_argument("--out", required=True, help="the world folder to write")
    gen.add_argument("--customers", type=int, default=3000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--as-of", type=_date, help="the world's today (default: a fixed date)")
    gen.add_argument("--no-defects", action="store_true", help="a clean world, with no injected defect")
    serve = command("serve", cmd_serve, "Serve a world over the three wire protocols.", sandbox_commands)
    serve.add_argument("--world", required=True, help="an lnr-world/1 directory")

    findings = command("findings", None, "Browse the findings of the latest night.")
    findings_commands = findings.add_subparsers(dest="findings_command", required=True, metavar="COMMAND")
    listing = command("list", cmd_findings_list, "List findings as a table.", findings_commands)
    listing.add_argument("--rule", help="only this rule id")
    listing.add_argument("--severity", choices=SEVERITY_NAMES)
    listing.add_argument(
        "--status", choices=(*STATUS_NAMES, ACKNOWLEDGED), help="only this status (default: all but resolved)"
    )
    listing.add_argument("--since", type=_date, help="only findings first seen on or after this date")
    with_db(listing)
    show = command(
        "show", cmd_findings_show, "Show one finding: evidence per system, history, action.", findings_commands
    )
    show.add_argument("finding_id")
    with_db(show)

    ack = command("ack", cmd_ack, "Acknowledge a finding with a reason until a date.")
    ack.add_argument("finding_id")
    ack.add_argument("--reason", required=True)
    ack.add_argument("--until", required=True, type=_date, help="the acknowledgement expires on this date")
    with_db(ack)

    report = command("report", cmd_report, "Write the CSV reports of a night again.")
    report.add_argument("--as-of", type=_date, help="the night (default: the latest)")
    report.add_argument("--out", help="folder under which reports/<as_of>/ is written")
    with_db(report)
    command("catalogue", cmd_catalogue, "Print the rule catalogue as a Markdown reference page.")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; errors are one clear line and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except (LookupError, ValueError, RuntimeError, OSError) as exc:
        print(f"lnr-audit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
