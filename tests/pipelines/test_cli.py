"""The `lnr-audit` command line, in-process and as the installed console script, on one real audited night."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from assets.raw_store import connect
from checks.catalogue import RULES
from checks.findings import KEY_NAMES
from checks.history import current_findings, latest_night
from connectors.schema import SYSTEMS
from pipelines.cli import build_parser, main
from sandbox.world import read_manifest

BIN = Path(sys.executable).parent
SCRIPT = Path(shutil.which("lnr-audit", path=str(BIN)) or BIN / "lnr-audit")
WIDE = "200"  # terminal columns for the tables, so that runs in any terminal print alike
BUSY = "is being written by a running audit"


@dataclass(frozen=True)
class Night:
    """The database of one audited sandbox night, and its findings as the history reads them."""

    database: Path
    as_of: dt.date
    findings: pl.DataFrame

    @property
    def live(self) -> pl.DataFrame:
        return self.findings.filter(pl.col("status") != "resolved")


def read_findings(database: Path, as_of: dt.date) -> pl.DataFrame:
    with connect(str(database), read_only=True) as con:
        return current_findings(con, as_of)


@pytest.fixture(scope="module")
def night(audited_nights) -> Night:
    """The last of the shared audited nights: sandbox worlds served over HTTP and audited by the Dagster job."""
    database = audited_nights.database
    as_of = read_manifest(audited_nights.worlds[-1]).as_of_date
    assert audited_nights.summaries[-1].as_of == as_of.isoformat()
    with connect(str(database), read_only=True) as con:
        assert latest_night(con) == as_of
    findings = read_findings(database, as_of)
    assert findings.height > 0 and findings["severity"].n_unique() > 1
    return Night(database, as_of, findings)


@pytest.fixture
def db(night: Night, tmp_path: Path) -> Path:
    """A private copy of the night's database, for tests that write to it or lock it."""
    copy = tmp_path / "lnr_audit.duckdb"
    shutil.copyfile(night.database, copy)
    wal = night.database.with_name(night.database.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    return copy


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", WIDE)
    monkeypatch.delenv("LNR_DUCKDB_PATH", raising=False)


def lnr(capsys, *args: object) -> tuple[int, str, str]:
    """Run `lnr-audit ARGS` in-process: exit code, stdout, stderr."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse: --help, usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def script(*args: object, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the installed `lnr-audit` console script in its own process."""
    assert SCRIPT.exists(), f"the console script is not installed at {SCRIPT}"
    env = {**os.environ, "COLUMNS": WIDE}
    env.pop("LNR_DUCKDB_PATH", None)
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def table_rows(out: str) -> list[list[str]]:
    """The rows of a `findings list` table: finding_id, rule_id, subject_id, severity, status, first_seen."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("finding_id"))
    assert lines[header].split()[:6] == ["finding_id", "rule_id", "subject_id", "severity", "status", "first_seen"]
    assert set(lines[header + 1].replace(" ", "")) == {"-"}
    body = lines[header + 2 : -1]
    assert lines[-1] == f"{len(body)} finding(s)"
    return [line.split()[:6] for line in body]


def expected_rows(frame: pl.DataFrame) -> list[list[str]]:
    return [
        [r["finding_id"], r["rule_id"], r["subject_id"], r["severity"], r["status"], r["first_seen"].isoformat()]
        for r in frame.iter_rows(named=True)
    ]


def as_text(value) -> str:
    """An evidence value as a reader expects it: strings bare, everything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# -- findings list -----------------------------------------------------------------------------------------------


def test_list_prints_every_live_finding_of_the_night(capsys, night):
    code, out, err = lnr(capsys, "findings", "list", "--db", night.database)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"night {night.as_of}"
    rows = table_rows(out)
    assert sorted(rows) == sorted(expected_rows(night.live))
    assert len(rows) == night.live.height
    ranks = [("critical", "high", "medium", "low").index(row[3]) for row in rows]
    assert ranks == sorted(ranks), "most severe first"


def _filters(night: Night) -> dict[str, tuple[list[str], pl.Expr]]:
    """CLI filter options and the polars filter on `current_findings` that must select the same findings."""
    live = pl.col("status") != "resolved"
    rule = night.findings["rule_id"][0]
    return {
        "rule": (["--rule", rule], live & (pl.col("rule_id") == rule)),
        "unknown-rule": (["--rule", "no_such_rule"], pl.lit(False)),
        "severity-high": (["--severity", "high"], live & (pl.col("severity") == "high")),
        "severity-low": (["--severity", "low"], live & (pl.col("severity") == "low")),
        "status-new": (["--status", "new"], pl.col("status") == "new"),
        "status-open": (["--status", "open"], pl.col("status") == "open"),
        "status-resolved": (["--status", "resolved"], pl.col("status") == "resolved"),
        "since-night": (["--since", night.as_of], live & (pl.col("first_seen") >= night.as_of)),
        "since-day-after": (["--since", night.as_of + dt.timedelta(days=1)], pl.lit(False)),
        "since-and-severity": (
            ["--since", night.as_of - dt.timedelta(days=7), "--severity", "medium"],
            live & (pl.col("severity") == "medium") & (pl.col("first_seen") >= night.as_of - dt.timedelta(days=7)),
        ),
        "rule-and-status": (
            ["--rule", rule, "--status", "new"],
            (pl.col("rule_id") == rule) & (pl.col("status") == "new"),
        ),
    }


FILTER_NAMES = [
    "rule",
    "unknown-rule",
    "severity-high",
    "severity-low",
    "status-new",
    "status-open",
    "status-resolved",
    "since-night",
    "since-day-after",
    "since-and-severity",
    "rule-and-status",
]


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_list_filters_select_what_a_polars_filter_selects(capsys, night, name):
    options, condition = _filters(night)[name]
    expected = night.findings.filter(condition)
    code, out, err = lnr(capsys, "findings", "list", *options, "--db", night.database)
    assert (code, err) == (0, "")
    rows = table_rows(out)
    assert len(rows) == expected.height
    assert sorted(rows) == sorted(expected_rows(expected))


def test_the_filters_are_not_vacuous(night):
    """The night has findings of several rules, severities and statuses, so the filters above discriminate."""
    filters = _filters(night)
    for name in ("rule", "severity-high", "severity-low", "status-new", "since-night", "since-and-severity"):
        selected = night.findings.filter(filters[name][1]).height
        assert 0 < selected, name
    assert night.findings.filter(filters["rule"][1]).height < night.live.height
    assert night.findings.filter(filters["severity-high"][1]).height < night.live.height


def test_list_rejects_a_bad_filter_value(capsys, night):
    code, out, err = lnr(capsys, "findings", "list", "--severity", "urgent", "--db", night.database)
    assert code == 2 and out == "" and "invalid choice: 'urgent'" in err
    code, out, err = lnr(capsys, "findings", "list", "--since", "yesterday", "--db", night.database)
    assert code == 2 and out == "" and "not a date" in err


def test_list_without_a_database_says_so(capsys, tmp_path):
    code, out, err = lnr(capsys, "findings", "list", "--db", tmp_path / "missing.duckdb")
    assert (code, out) == (2, "")
    assert err.startswith("lnr-audit: no audit database at ") and err.count("\n") == 1
    assert not (tmp_path / "missing.duckdb").exists()


# -- findings show -----------------------------------------------------------------------------------------------

TITLES = ("Records involved:", "Evidence:", "History:", "Suggested action:")


def section(lines: list[str], title: str) -> list[str]:
    """The lines under `title:` of `findings show`, up to the blank line before the next title (or the end)."""
    start = lines.index(f"{title}:") + 1
    following = [i for i in range(start, len(lines)) if lines[i] in TITLES]
    end = following[0] - 1 if following else len(lines)
    assert end == len(lines) or lines[end] == ""
    return lines[start:end]


def words(text: str) -> str:
    return " ".join(text.split())


def test_show_prints_summary_keys_evidence_history_and_action(capsys, night):
    with connect(str(night.database), read_only=True) as con:
        events = con.execute("SELECT finding_id, as_of, status FROM audit.finding_events ORDER BY as_of").fetchall()
    one_per_rule = night.findings.unique("rule_id", keep="first").sort("rule_id")
    assert one_per_rule.height == night.findings["rule_id"].n_unique() > 1
    seen_side_by_side = seen_extra = False
    for f in one_per_rule.iter_rows(named=True):
        code, out, err = lnr(capsys, "findings", "show", f["finding_id"], "--db", night.database)
        assert (code, err) == (0, ""), f["finding_id"]
        lines = out.splitlines()
        assert lines[0].split() == [f["finding_id"], f["rule_id"], "subject", f["subject_id"]]
        assert f"severity {f['severity']}" in lines[1] and f"status {f['status']}" in lines[1]
        assert f"first seen {f['first_seen']}" in lines[1]
        assert words(f["summary"]) in words(out)

        involved = {line.split()[0]: line.split(maxsplit=1)[1] for line in section(lines, "Records involved")}
        assert involved == {k: str(f[k]) for k in KEY_NAMES if f[k] is not None}

        evidence = json.loads(f["evidence"])
        systems = [s for s in evidence if s in SYSTEMS]
        shown = section(lines, "Evidence")
        assert [cell.strip() for cell in shown[0].split("│")] == [s.upper() for s in systems]
        for column, system in enumerate(systems):
            cells = [(line.split("│") + [""] * len(systems))[column].strip() for line in shown[1:]]
            fields = list(evidence[system].items())
            for row, (key, value) in enumerate(fields):
                assert cells[row].startswith(f"{key}: "), (f["finding_id"], system, key, cells[row])
                assert cells[row] == f"{key}: {as_text(value)}"
        seen_side_by_side |= len(systems) > 1
        for key, value in evidence.items():
            if key not in systems:
                assert f"  {key}: {as_text(value)}" in shown, (f["finding_id"], key)
                seen_extra = True

        history = [line.split() for line in section(lines, "History")]
        assert history == [[str(night_), status] for fid, night_, status in events if fid == f["finding_id"]]
        assert history[-1][1] == f["status"] and history[-1][0] <= str(night.as_of)
        assert words("\n".join(section(lines, "Suggested action"))) == words(f["suggested_action"])
        assert all(line == line.rstrip() for line in lines), "no trailing blanks"
    assert seen_side_by_side and seen_extra


def test_show_an_unknown_finding_fails_with_one_line(capsys, night):
    code, out, err = lnr(capsys, "findings", "show", "0000000000000000", "--db", night.database)
    assert (code, out, err) == (2, "", "lnr-audit: no finding 0000000000000000\n")


# -- ack ---------------------------------------------------------------------------------------------------------


def test_ack_marks_a_finding_acknowledged_until_a_date(capsys, night, db):
    target = night.live.filter(pl.col("severity") == "medium").row(0, named=True)
    until = night.as_of + dt.timedelta(days=30)
    code, out, err = lnr(
        capsys, "ack", target["finding_id"], "--reason", "customer migrating", "--until", until, "--db", db
    )
    assert (code, err) == (0, "")
    assert out == f"acknowledged {target['finding_id']} until {until}\n"

    code, out, err = lnr(capsys, "findings", "list", "--status", "acknowledged", "--db", db)
    assert (code, err) == (0, "")
    [row] = table_rows(out)
    assert row[:3] == [target["finding_id"], target["rule_id"], target["subject_id"]]
    assert out.splitlines()[3].rstrip().endswith("ack")

    after = read_findings(db, night.as_of)
    acked = after.filter(pl.col("acknowledged"))
    assert acked["finding_id"].to_list() == [target["finding_id"]]
    assert acked.row(0, named=True)["ack_reason"] == "customer migrating"
    assert acked.row(0, named=True)["ack_until"] == until
    assert after.drop("acknowledged", "ack_reason", "ack_until").equals(
        night.findings.drop("acknowledged", "ack_reason", "ack_until")
    )

    code, out, _ = lnr(capsys, "findings", "list", "--db", db)
    assert len(table_rows(out)) == night.live.height, "an acknowledged finding is still listed"
    code, out, _ = lnr(capsys, "findings", "show", target["finding_id"], "--db", db)
    assert f"acknowledged until {until}: customer migrating" in out.splitlines()


@pytest.mark.parametrize("until", ["2026-13-01", "next-month", "01/12/2026"])
def test_ack_with_a_bad_date_is_a_usage_error(capsys, night, db, until):
    finding_id = night.findings["finding_id"][0]
    code, out, err = lnr(capsys, "ack", finding_id, "--reason", "r", "--until", until, "--db", db)
    assert code == 2 and out == ""
    assert "usage: lnr-audit ack" in err and f"argument --until: not a date (YYYY-MM-DD): '{until}'" in err
    assert not read_findings(db, night.as_of)["acknowledged"].any()


def test_ack_needs_a_known_finding_and_a_reason(capsys, night, db):
    until = night.as_of + dt.timedelta(days=5)
    code, out, err = lnr(capsys, "ack", "0000000000000000", "--reason", "r", "--until", until, "--db", db)
    assert (code, out, err) == (2, "", "lnr-audit: no finding 0000000000000000\n")
    finding_id = night.findings["finding_id"][0]
    code, out, err = lnr(capsys, "ack", finding_id, "--reason", "  ", "--until", until, "--db", db)
    assert (code, out, err) == (2, "", "lnr-audit: an acknowledgement needs a reason\n")
    code, out, err = lnr(capsys, "ack", finding_id, "--until", until, "--db", db)
    assert code == 2 and "the following arguments are required: --reason" in err
    assert not read_findings(db, night.as_of)["acknowledged"].any()


# -- report ------------------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_report_writes_the_csv_files_of_the_night(night, tmp_path):
    """The installed console script, in its own process."""
    out = tmp_path / "out"
    done = script("report", "--out", out, "--db", night.database)
    folder = out / "reports" / night.as_of.isoformat()
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == f"wrote {folder}\n"
    assert sorted(p.name for p in folder.iterdir()) == [
        "findings_new.csv",
        "findings_open.csv",
        "findings_resolved.csv",
        "summary.csv",
    ]
    status = pl.col("status")
    expected = {
        "findings_open.csv": night.findings.filter(status.is_in(["new", "open", "reopened"])),
        "findings_new.csv": night.findings.filter(status == "new"),
        "findings_resolved.csv": night.findings.filter((status == "resolved") & (pl.col("resolved_on") == night.as_of)),
    }
    for name, frame in expected.items():
        rows = read_csv(folder / name)
        assert sorted(r["finding_id"] for r in rows) == sorted(frame["finding_id"]), name
        assert {(r["finding_id"], r["rule_id"], r["subject_id"]) for r in rows} == set(
            zip(frame["finding_id"], frame["rule_id"], frame["subject_id"], strict=True)
        )
    assert len(read_csv(folder / "findings_open.csv")) == night.live.height > 0
    summary = read_csv(folder / "summary.csv")
    assert [r["rule_id"] for r in summary] == [rule.id for rule in RULES]
    per_rule = dict(night.live.group_by("rule_id").len().iter_rows())
    unresolved = {r["rule_id"]: int(r["unresolved"]) for r in summary}
    assert unresolved == {rule.id: per_rule.get(rule.id, 0) for rule in RULES}
    # the nightly job wrote the same night's open findings when it ran
    nightly = night.database.parent / "reports" / night.as_of.isoformat() / "findings_open.csv"
    assert read_csv(nightly) == read_csv(folder / "findings_open.csv")


# -- help --------------------------------------------------------------------------------------------------------


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and subcommand of `parser`, as the words that name it."""
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from command_paths(sub, (*prefix, name))


COMMANDS = list(command_paths(build_parser()))


def test_the_parser_has_every_documented_command():
    assert {
        ("findings", "list"),
        ("findings", "show"),
        ("ack",),
        ("report",),
        ("sandbox", "generate"),
        ("sandbox", "serve"),
        ("demo",),
        ("run",),
        ("ui",),
    } <= set(COMMANDS)


@pytest.mark.parametrize("words_", COMMANDS, ids=lambda w: " ".join(w) or "lnr-audit")
def test_help_of_every_command(capsys, words_):
    code, out, err = lnr(capsys, *words_, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: {' '.join(('lnr-audit', *words_))}")
    assert "-h, --help" in out


def test_help_of_the_console_script_lists_the_commands():
    done = script("--help")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("usage: lnr-audit")
    for name in {w[0] for w in COMMANDS if w}:
        assert f"    {name}" in done.stdout


# -- a running audit holding the database ------------------------------------------------------------------------

WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("BEGIN")
con.execute("DELETE FROM audit.finding_events")
con.execute("DELETE FROM audit.findings")
con.execute("INSERT INTO audit.acknowledgements VALUES ('x', 'half-written', DATE '2099-01-01', NULL, now())")
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
con.close()
"""


@contextmanager
def writer_holding(database: Path, seconds: float) -> Iterator[subprocess.Popen]:
    """Another process with `database` open for writing, mid-transaction, for `seconds`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(database), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_a_running_audit_makes_the_commands_fail_clearly_and_harms_nothing(capsys, night, db):
    before = read_findings(db, night.as_of)
    finding_id = before["finding_id"][0]
    with writer_holding(db, 60) as writer:
        started = time.monotonic()
        done = script("findings", "list", "--wait", "0.5", "--db", db)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"lnr-audit: {db} {BUSY} (waited 0.5 s)")
        code, out, err = lnr(capsys, "findings", "show", finding_id, "--wait", "0.3", "--db", db)
        assert (code, out) == (2, "") and BUSY in err
        until = night.as_of + dt.timedelta(days=3)
        code, out, err = lnr(capsys, "ack", finding_id, "--reason", "r", "--until", until, "--wait", "0", "--db", db)
        assert (code, out) == (2, "") and BUSY in err
        assert time.monotonic() - started < 30
        assert writer.poll() is None, "the writer held the database throughout"
        writer.kill()  # the audit dies mid-transaction
    after = read_findings(db, night.as_of)
    assert after.equals(before)
    assert not after["acknowledged"].any()
    code, out, err = lnr(capsys, "findings", "list", "--db", db)
    assert (code, err) == (0, "")
    assert sorted(table_rows(out)) == sorted(expected_rows(night.live))


def test_a_command_waits_for_a_running_audit_to_finish(capsys, night, db):
    with writer_holding(db, 2.0) as writer:
        assert writer.poll() is None
        started = time.monotonic()
        code, out, err = lnr(capsys, "findings", "list", "--wait", "20", "--db", db)
        waited = time.monotonic() - started
        assert writer.wait(timeout=10) == 0
    assert (code, err) == (0, "")
    assert waited >= 0.5, "the command waited for the writer"
    assert sorted(table_rows(out)) == sorted(expected_rows(night.live))


def test_wait_must_be_a_number_of_seconds(capsys, night):
    code, out, err = lnr(capsys, "findings", "list", "--wait", "soon", "--db", night.database)
    assert code == 2 and out == "" and "argument --wait: not a number of seconds" in err
