"""The `lnr-audit` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
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


def _rule_id(text: str) -> str:
    """A rule id of the catalogue; an unknown one is refused with the nearest known ids."""
    import difflib

    from checks.catalogue import RULES

    known = [rule.id for rule in RULES]
    if text in known:
        return text
    near = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(near)}?" if near else f"known rules: {', '.join(known)}"
    raise argparse.ArgumentTypeError(f"unknown rule {text!r}; {hint}")


def _open_database(args: argparse.Namespace, *, read_only: bool):
    """The database of `--db`, waiting up to `--wait` seconds for a running audit to release it."""
    from pipelines.database import DEFAULT_WAIT_SECONDS, open_database
    from pipelines.settings import database_path, setting

    wait = DEFAULT_WAIT_SECONDS if args.wait is None else args.wait
    return open_database(
        database_path(args.db), read_only=read_only, wait_seconds=wait, memory_limit=setting("LNR_DUCKDB_MEMORY_LIMIT")
    )


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
                servers, world, paths, as_of=args.as_of, full_refresh=args.full_refresh, full_audit=args.full_audit,
                log_level="INFO", run_id=run_id,
            )
        print_summary(summary)
        if not summary.success:
            return 1
        open_report = copy_findings(paths.out / "reports" / summary.as_of, paths)
    print(f"\ndatabase: {paths.database}\nfindings: {paths.findings_csv}\nreports:  {open_report.parent}")
    print(f"next:     {demo_next_step(paths.database)}")
    return 0


def demo_next_step(database: Path) -> str:
    """The command that lists the demo's findings, as the user can type it where they ran the demo."""
    from pipelines.settings import database_path

    found_by_default = database_path().resolve() == database.resolve()
    listing = " ".join([command_name(), "findings", "list", *([] if found_by_default else ["--db", str(database)])])
    return f"{listing}   (or: make findings)" if found_by_default else listing


def cmd_run(args: argparse.Namespace) -> int:
    """Run the nightly job once against the sources configured in the environment (or, asked to, the sandbox)."""
    from pipelines.settings import environment, require_sources, resources_from_environment, setting

    if args.sandbox:
        return cmd_demo(
            argparse.Namespace(out=args.sandbox_out, world=None, customers=3000, seed=42, as_of=args.as_of,
                               full_refresh=args.full_refresh, full_audit=args.full_audit)
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
        full_audit=args.full_audit,
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
            "LNR_SCHEDULE_STATUS": "stopped",
        }
        print(f"\nDagster UI on http://{args.host}:{args.port} (Ctrl-C stops it and the sandbox servers);")
        print("the nightly schedule is stopped: start it under Automation, or run the job from the Launchpad")
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


def _known_findings(con) -> tuple[dt.date, object]:
    """The latest audited night and every finding known on it; LookupError before the first night."""
    from checks.history import current_findings, latest_night

    night = latest_night(con)
    if night is None:
        raise LookupError("no night audited yet: run the audit first (lnr-audit run or lnr-audit demo)")
    return night, current_findings(con, night)


def _next_command(args: argparse.Namespace, *words: str) -> str:
    """`words` as a command line to type next, with the same --db when one was given."""
    return " ".join([command_name(), *words, *(["--db", args.db] if args.db else [])])


def command_name() -> str:
    """How the user ran lnr-audit: its path when run by path (e.g. .venv/bin/lnr-audit), else `lnr-audit`."""
    script = sys.argv[0]
    if os.sep in script and Path(script).name == "lnr-audit":
        relative = os.path.relpath(script)
        return relative if not relative.startswith("..") else script
    return "lnr-audit"


def cmd_findings_list(args: argparse.Namespace) -> int:
    """Print the findings of the latest night as a table fitted to the terminal, and the command to see one."""
    from pipelines.findings_view import filter_findings, render_table, short_ids

    with _open_database(args, read_only=True) as con:
        night, known = _known_findings(con)
    selected = filter_findings(known, rule=args.rule, severity=args.severity, status=args.status, since=args.since)
    print(f"night {night}")
    if selected.height:
        print(render_table(selected, night, ids=short_ids(known["finding_id"].to_list())))
        print(f"{selected.height} finding(s); next: {_next_command(args, 'findings', 'show', 'ID')}")
    else:
        print(f"0 findings; all of them: {_next_command(args, 'findings', 'list', '--status', 'resolved')}")
    return 0


def cmd_findings_show(args: argparse.Namespace) -> int:
    """Print one finding in full, named by its id, a prefix of it or its subject id."""
    from pipelines.findings_view import describe_finding, resolve_finding
    from pipelines.settings import link_bases

    with _open_database(args, read_only=True) as con:
        _, known = _known_findings(con)
        print(describe_finding(con, resolve_finding(known, args.finding), bases=link_bases()))
    return 0


def cmd_ack(args: argparse.Namespace) -> int:
    """Acknowledge a finding until a date after today; warn when it is resolved or was acknowledged before."""
    from checks.history import acknowledge
    from pipelines.findings_view import resolve_finding
    from pipelines.settings import current_user

    today = dt.datetime.now(dt.UTC).date()
    if args.until <= today:
        raise ValueError(f"--until {args.until} is not after today ({today}): an acknowledgement must end later")
    with _open_database(args, read_only=False) as con:
        night, known = _known_findings(con)
        finding = resolve_finding(known, args.finding)
        previous = con.execute(
            "SELECT until, reason FROM audit.acknowledgements WHERE finding_id = ?", [finding["finding_id"]]
        ).fetchall()
        acknowledge(con, finding["finding_id"], args.reason, args.until, by=current_user())
    if finding["status"] == "resolved":
        print(f"warning: {finding['finding_id']} was resolved on {finding['resolved_on']}; "
              "the acknowledgement applies if it comes back", file=sys.stderr)
    if previous and previous[0][0] <= night:
        print(f"warning: {finding['finding_id']} had an acknowledgement that expired on {previous[0][0]} "
              f"({previous[0][1]}); it is replaced", file=sys.stderr)
    undo = _next_command(args, "unack", finding["finding_id"])
    print(f"acknowledged {finding['finding_id']} until {args.until}; undo: {undo}")
    return 0


def cmd_unack(args: argparse.Namespace) -> int:
    """Withdraw a finding's acknowledgement, so that it fails its rule's check again."""
    from checks.history import withdraw_acknowledgement
    from pipelines.findings_view import resolve_finding

    with _open_database(args, read_only=False) as con:
        _, known = _known_findings(con)
        finding = resolve_finding(known, args.finding)
        reason, until = withdraw_acknowledgement(con, finding["finding_id"])
    print(f"withdrew the acknowledgement of {finding['finding_id']} (until {until}: {reason})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the CSV reports of an audited night again (default: the latest) where the nightly reports go."""
    from assets.report_data import report_frames
    from assets.reports import write_reports
    from checks.history import latest_night
    from pipelines.settings import database_path, link_bases, setting

    with _open_database(args, read_only=True) as con:
        night = args.as_of or latest_night(con)
        if night is None:
            raise LookupError("no night audited yet: run the audit first (lnr-audit run or lnr-audit demo)")
        audited = [row[0] for row in con.execute("SELECT as_of FROM audit.runs ORDER BY as_of").fetchall()]
        if night not in audited:
            raise LookupError(
                f"night {night} was never audited; audited nights: {', '.join(map(str, audited[-10:]))}"
            )
        known, summary = report_frames(con, night)
    folder = args.out or setting("LNR_REPORTS_DIR") or database_path(args.db).parent
    files = write_reports(known, summary, Path(folder), night, link_bases())
    print(f"wrote {files.folder}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Re-run staging and every rule on the raw tables already loaded, and print the findings per rule."""
    from checks.history import latest_night
    from pipelines.reaudit import print_reaudit, reaudit
    from pipelines.settings import environment, resources_from_environment

    env = dict(environment())
    with _open_database(args, read_only=False) as con:
        as_of = args.as_of or (None if env.get("LNR_AS_OF") else latest_night(con))
        if as_of:
            env["LNR_AS_OF"] = as_of.isoformat()
        settings = resources_from_environment(env)["audit_settings"].engine_settings()
        result = reaudit(con, settings, profile=args.profile)
    print_reaudit(result)
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    """Print the rule catalogue as Markdown, or one rule of it."""
    from pipelines.catalogue_doc import render_catalogue, render_rule

    print(render_rule(args.rule_id) if args.rule_id else render_catalogue(), end="")
    return 0


def night_options(sub: argparse.ArgumentParser) -> None:
    """The options of a command that runs a night: what it reloads and what it evaluates again."""
    sub.add_argument("--full-refresh", action="store_true", help="reload every object in full")
    sub.add_argument(
        "--full-audit",
        action="store_true",
        help="rebuild every staging table and evaluate every rule, even those whose inputs did not change",
    )


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
        sub.add_argument(
            "--db",
            help="the DuckDB file (default: LNR_DUCKDB_PATH, else ./lnr_audit.duckdb, else out/demo/lnr_audit.duckdb)",
        )
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
    night_options(demo)

    run = command("run", cmd_run, "Run the nightly audit once against the configured sources (LNR_* variables).")
    run.add_argument("--as-of", type=_date, help="audit date (default: LNR_AS_OF or today, UTC)")
    night_options(run)
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
    listing.add_argument("--rule", type=_rule_id, help="only this rule id (lnr-audit catalogue lists them)")
    listing.add_argument("--severity", choices=SEVERITY_NAMES)
    listing.add_argument(
        "--status", choices=(*STATUS_NAMES, ACKNOWLEDGED), help="only this status (default: all but resolved)"
    )
    listing.add_argument("--since", type=_date, help="only findings first seen on or after this date")
    with_db(listing)
    finding_help = "a finding id, a unique prefix of one (F- optional) or a subject id"
    show = command(
        "show", cmd_findings_show, "Show one finding: evidence per system, links, history, action.", findings_commands
    )
    show.add_argument("finding", metavar="FINDING", help=finding_help)
    with_db(show)

    ack = command("ack", cmd_ack, "Acknowledge a finding with a reason until a date.")
    ack.add_argument("finding", metavar="FINDING", help=finding_help)
    ack.add_argument("--reason", required=True)
    ack.add_argument("--until", required=True, type=_date, help="the day the acknowledgement expires (after today)")
    with_db(ack)
    unack = command("unack", cmd_unack, "Withdraw the acknowledgement of a finding.")
    unack.add_argument("finding", metavar="FINDING", help=finding_help)
    with_db(unack)

    report = command("report", cmd_report, "Write the CSV reports of a night again.")
    report.add_argument("--as-of", type=_date, help="the night (default: the latest)")
    report.add_argument(
        "--out", help="folder under which reports/<as_of>/ is written (default: LNR_REPORTS_DIR, else the database's)"
    )
    with_db(report)
    audit = command(
        "audit",
        cmd_audit,
        "Re-run staging and the rules on the raw tables already loaded (no extraction); print findings per rule. "
        "The findings history is not changed.",
    )
    audit.add_argument(
        "--as-of", type=_date, help="audit date (default: LNR_AS_OF, else the last audited night, else today)"
    )
    audit.add_argument(
        "--profile", action="store_true", help="print the wall and CPU time of every step (the rules one at a time)"
    )
    with_db(audit)
    catalogue = command("catalogue", cmd_catalogue, "Print the rule catalogue as a Markdown reference page.")
    catalogue.add_argument("rule_id", nargs="?", type=_rule_id, metavar="RULE_ID", help="only this rule")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; errors are one clear line and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (e.g. head) stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (LookupError, ValueError, RuntimeError, OSError) as exc:
        print(f"lnr-audit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
