"""The `lnr-audit` command line, in-process and as the installed console script, on one real audited night."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from assets.raw_store import connect
from checks.catalogue import RULES
from checks.evidence_view import SYSTEM_NAMES
from checks.evidence_view import shown as evidence_text
from checks.findings import KEY_NAMES
from checks.history import current_findings, latest_night
from checks.record_links import LINK_VARIABLES, LinkBases, record_links
from connectors.schema import SYSTEMS
from pipelines.cli import build_parser, demo_next_step, main
from pipelines.findings_view import filter_findings, short_ids
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
    for variable in ("LNR_DUCKDB_PATH", "LNR_REPORTS_DIR", *LINK_VARIABLES.values()):
        monkeypatch.delenv(variable, raising=False)


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
    """The rows of a one-line-per-finding `findings list` table: id, rule, subject, severity, status, age."""
    lines = out.splitlines()
    if lines[-1].startswith("0 findings; all of them: lnr-audit findings list --status resolved"):
        return []
    header = next(i for i, line in enumerate(lines) if line.startswith("id "))
    spans = [m.span() for m in re.finditer(r"-+", lines[header + 1])]
    names = [lines[header][a:b].strip() for a, b in spans]
    assert names[:4] == ["id", "severity", "status", "age"] and names[-3:] == ["rule", "subject", "summary"]
    body = lines[header + 2 : -1]
    assert lines[-1].startswith(f"{len(body)} finding(s); next: lnr-audit findings show ID")
    cells = [
        {n: line[a : None if n == "summary" else b].strip() for (a, b), n in zip(spans, names, strict=True)}
        for line in body
    ]
    return [[c["id"], c["rule"], c["subject"], c["severity"], c["status"], c["age"]] for c in cells]


def expected_rows(night: Night, frame: pl.DataFrame) -> list[list[str]]:
    """The table rows of `frame`'s findings: ids shortened among the night's, age in days since first seen."""
    ids = short_ids(night.findings["finding_id"].to_list())
    return [
        [ids[r["finding_id"]], r["rule_id"], r["subject_id"], r["severity"], r["status"], age(night, r)]
        for r in frame.iter_rows(named=True)
    ]


def age(night: Night, finding: dict) -> str:
    return f"{(night.as_of - finding['first_seen']).days}d"


# -- findings list -----------------------------------------------------------------------------------------------


def test_list_prints_every_live_finding_of_the_night(capsys, night):
    code, out, err = lnr(capsys, "findings", "list", "--db", night.database)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"night {night.as_of}"
    rows = table_rows(out)
    assert sorted(rows) == sorted(expected_rows(night, night.live))
    assert len(rows) == night.live.height
    ranks = [("critical", "high", "medium", "low").index(row[3]) for row in rows]
    assert ranks == sorted(ranks), "most severe first"


def _filters(night: Night) -> dict[str, tuple[list[str], pl.Expr]]:
    """CLI filter options and the polars filter on `current_findings` that must select the same findings."""
    live = pl.col("status") != "resolved"
    rule = night.findings["rule_id"][0]
    return {
        "rule": (["--rule", rule], live & (pl.col("rule_id") == rule)),
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
    assert sorted(rows) == sorted(expected_rows(night, expected))


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


def test_show_prints_summary_keys_evidence_links_history_and_action(capsys, night):
    with connect(str(night.database), read_only=True) as con:
        events = con.execute("SELECT finding_id, as_of, status FROM audit.finding_events ORDER BY as_of").fetchall()
    one_per_rule = night.findings.unique("rule_id", keep="first").sort("rule_id")
    assert one_per_rule.height == night.findings["rule_id"].n_unique() > 1
    seen_differing = seen_extra = False
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

        evidence = json.loads(f["evidence"], parse_float=Decimal)
        systems = [s for s in evidence if s in SYSTEMS]
        shown = section(lines, "Evidence")
        assert shown[0].split() == [SYSTEM_NAMES[s].upper() for s in systems]
        for system in systems:
            for key in evidence[system]:
                field = re.compile(rf"(^|\s){re.escape(key)}(\s|$)")
                assert any(field.search(line) for line in shown), (f["rule_id"], key)
        seen_differing |= any(line.startswith("≠ ") for line in shown)
        for key, value in evidence.items():
            if key not in systems:
                assert words(f"{key}: {evidence_text(value)}") in words("\n".join(shown)), (f["finding_id"], key)
                seen_extra = True

        links = record_links(f, LinkBases())
        assert section(lines, "Links") == [f"  {label:{max(map(len, links))}}  {url}" for label, url in links.items()]
        history = [line.split() for line in section(lines, "History")]
        assert history == [[str(night_), status] for fid, night_, status in events if fid == f["finding_id"]]
        assert history[-1][1] == f["status"] and history[-1][0] <= str(night.as_of)
        assert words("\n".join(section(lines, "Suggested action"))) == words(f["suggested_action"])
        assert all(line == line.rstrip() for line in lines), "no trailing blanks"
    assert seen_differing and seen_extra


@pytest.mark.parametrize("columns", [80, 100])
def test_list_fits_the_terminal_and_its_ids_and_subjects_show_the_finding(capsys, monkeypatch, night, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = lnr(capsys, "findings", "list", "--db", night.database)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert max(len(line) for line in lines[:-1]) <= columns
    for summary in night.live["summary"]:
        assert words(summary) in words(out), "the summary is never cut"
    ids = short_ids(night.findings["finding_id"].to_list())
    shown_ids = [line.split()[0] for line in lines if line.startswith("F-")]
    assert shown_ids == [ids[i] for i in filter_findings(night.findings)["finding_id"]]
    target = night.live.row(0, named=True)
    unique_subject = night.findings.filter(pl.col("subject_id") == target["subject_id"]).height == 1
    for name in (ids[target["finding_id"]], ids[target["finding_id"]].removeprefix("F-"), target["subject_id"]):
        if name == target["subject_id"] and not unique_subject:
            continue
        code, out, err = lnr(capsys, "findings", "show", name, "--db", night.database)
        assert (code, err) == (0, "") and out.split()[0] == target["finding_id"], name
        assert max(len(line) for line in out.splitlines() if "://" not in line) <= columns


def test_show_an_ambiguous_prefix_lists_the_candidates(capsys, night):
    ids = sorted(night.findings["finding_id"])
    prefix = next(a[:3] for a, b in zip(ids, ids[1:], strict=False) if a[:3] == b[:3])
    code, out, err = lnr(capsys, "findings", "show", prefix, "--db", night.database)
    assert (code, out) == (2, "")
    candidates = [line.split()[0] for line in err.splitlines()[1:]]
    assert candidates == [i for i in ids if i.startswith(prefix)] and len(candidates) > 1


def test_show_an_unknown_finding_fails_with_one_line(capsys, night):
    code, out, err = lnr(capsys, "findings", "show", "F-0000000000000000", "--db", night.database)
    assert (code, out) == (2, "")
    assert err.startswith("lnr-audit: no finding F-0000000000000000 ") and err.count("\n") == 1


def test_an_unknown_rule_is_refused_with_the_nearest_ids(capsys, night):
    code, out, err = lnr(capsys, "findings", "list", "--rule", "seat_mismatch", "--db", night.database)
    assert code == 2 and out == ""
    assert "unknown rule 'seat_mismatch'; did you mean " in err and "seat_count_mismatch" in err
    code, out, err = lnr(capsys, "catalogue", "no_such_rule")
    assert code == 2 and "unknown rule 'no_such_rule'" in err


def test_catalogue_shows_one_rule(capsys):
    rule = RULES[3]
    code, out, err = lnr(capsys, "catalogue", rule.id)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"### `{rule.id}`" and f"- **severity**: {rule.severity}" in out
    assert sum(line.startswith("### ") for line in out.splitlines()) == 1


# -- ack ---------------------------------------------------------------------------------------------------------


TODAY = dt.datetime.now(dt.UTC).date()


def test_ack_marks_a_finding_acknowledged_until_a_date_and_unack_withdraws_it(capsys, night, db):
    target = night.live.filter(pl.col("severity") == "medium").row(0, named=True)
    until = TODAY + dt.timedelta(days=30)
    code, out, err = lnr(
        capsys, "ack", target["finding_id"], "--reason", "customer migrating", "--until", until, "--db", db
    )
    assert (code, err) == (0, "")
    undo = f"lnr-audit unack {target['finding_id']} --db {db}"
    assert out == f"acknowledged {target['finding_id']} until {until}; undo: {undo}\n"

    code, out, err = lnr(capsys, "findings", "list", "--status", "acknowledged", "--db", db)
    assert (code, err) == (0, "")
    [row] = table_rows(out)
    short = short_ids(night.findings["finding_id"].to_list())[target["finding_id"]]
    assert row[:3] == [short, target["rule_id"], target["subject_id"]]
    header = next(line for line in out.splitlines() if line.startswith("id "))
    assert header.split()[4] == "ack" and out.splitlines()[3].split()[4] == "ack"

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

    code, out, err = lnr(capsys, "unack", target["finding_id"][:10], "--db", db)
    assert (code, err) == (0, "")
    assert out == f"withdrew the acknowledgement of {target['finding_id']} (until {until}: customer migrating)\n"
    assert read_findings(db, night.as_of).equals(night.findings)
    code, out, err = lnr(capsys, "unack", target["finding_id"], "--db", db)
    assert (code, out, err) == (2, "", f"lnr-audit: {target['finding_id']} is not acknowledged\n")


@pytest.mark.parametrize("until", ["2026-13-01", "next-month", "01/12/2026"])
def test_ack_with_a_bad_date_is_a_usage_error(capsys, night, db, until):
    finding_id = night.findings["finding_id"][0]
    code, out, err = lnr(capsys, "ack", finding_id, "--reason", "r", "--until", until, "--db", db)
    assert code == 2 and out == ""
    assert "usage: lnr-audit ack" in err and f"argument --until: not a date (YYYY-MM-DD): '{until}'" in err
    assert not read_findings(db, night.as_of)["acknowledged"].any()


@pytest.mark.parametrize("days", [0, -1, -400])
def test_ack_until_today_or_a_past_day_is_refused(capsys, night, db, days):
    until = TODAY + dt.timedelta(days=days)
    code, out, err = lnr(capsys, "ack", night.findings["finding_id"][0], "--reason", "r", "--until", until, "--db", db)
    assert (code, out) == (2, "")
    assert err == f"lnr-audit: --until {until} is not after today ({TODAY}): an acknowledgement must end later\n"
    assert not read_findings(db, night.as_of)["acknowledged"].any()


def test_acknowledging_again_after_an_acknowledgement_expired_warns(capsys, night, db):
    finding_id = night.findings["finding_id"][0]
    with connect(str(db)) as con:
        con.execute("INSERT INTO audit.acknowledgements VALUES (?, 'old', ?, NULL, now())", [finding_id, night.as_of])
    until = TODAY + dt.timedelta(days=3)
    code, out, err = lnr(capsys, "ack", finding_id, "--reason", "again", "--until", until, "--db", db)
    assert code == 0 and out.startswith(f"acknowledged {finding_id} until {until}")
    assert err == f"warning: {finding_id} had an acknowledgement that expired on {night.as_of} (old); it is replaced\n"


def test_acknowledging_a_resolved_finding_warns(capsys, night, db):
    finding_id = night.findings["finding_id"][0]
    later = night.as_of + dt.timedelta(days=1)
    with connect(str(db)) as con:
        con.execute("INSERT INTO audit.runs VALUES (?, 'r2', now(), 0)", [later])
        con.execute("INSERT INTO audit.finding_events VALUES (?, ?, 'resolved', 'r2')", [later, finding_id])
    until = TODAY + dt.timedelta(days=3)
    code, out, err = lnr(capsys, "ack", finding_id, "--reason", "watch it", "--until", until, "--db", db)
    assert code == 0 and out.startswith(f"acknowledged {finding_id} until {until}")
    assert err == f"warning: {finding_id} was resolved on {later}; the acknowledgement applies if it comes back\n"


def test_ack_needs_a_known_finding_and_a_reason(capsys, night, db):
    until = TODAY + dt.timedelta(days=5)
    code, out, err = lnr(capsys, "ack", "F-0000000000000000", "--reason", "r", "--until", until, "--db", db)
    assert (code, out) == (2, "") and err.startswith("lnr-audit: no finding F-0000000000000000 ")
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
    *summary, total = read_csv(folder / "summary.csv")
    assert [r["rule_id"] for r in summary] == [rule.id for rule in RULES]
    per_rule = dict(night.live.group_by("rule_id").len().iter_rows())
    unresolved = {r["rule_id"]: int(r["unresolved"]) for r in summary}
    assert unresolved == {rule.id: per_rule.get(rule.id, 0) for rule in RULES}
    assert (total["rule_id"], int(total["unresolved"])) == ("total", night.live.height)
    # the nightly job wrote the same night's open findings when it ran, linked to the sandbox it read; the command
    # line links to the hosts configured where it runs (here none: the real ones)
    nightly = night.database.parent / "reports" / night.as_of.isoformat() / "findings_open.csv"
    links = ("zuora_link", "salesforce_link", "customersdot_link", "gitlab_link")
    assert [without(r, links) for r in read_csv(nightly)] == [
        without(r, links) for r in read_csv(folder / "findings_open.csv")
    ]
    assert all(r["salesforce_link"].startswith(LinkBases().salesforce) for r in read_csv(folder / "findings_open.csv")
               if r["salesforce_link"])


def without(row: dict, names: tuple[str, ...]) -> dict:
    """`row` without the columns `names`."""
    return {key: value for key, value in row.items() if key not in names}


def test_report_of_a_night_never_audited_fails_and_writes_nothing(capsys, night, tmp_path):
    other = night.as_of + dt.timedelta(days=1)
    with connect(str(night.database), read_only=True) as con:
        audited = [str(row[0]) for row in con.execute("SELECT as_of FROM audit.runs ORDER BY as_of").fetchall()]
    code, out, err = lnr(capsys, "report", "--as-of", other, "--out", tmp_path, "--db", night.database)
    assert (code, out) == (2, "")
    assert err == f"lnr-audit: night {other} was never audited; audited nights: {', '.join(audited)}\n"
    assert list(tmp_path.iterdir()) == []


def test_report_without_out_writes_where_the_nightly_reports_go(capsys, monkeypatch, night, db, tmp_path):
    folder = f"reports/{night.as_of}"
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    code, out, _ = lnr(capsys, "report", "--db", db)
    assert (code, out) == (0, f"wrote {db.parent / folder}\n") and (db.parent / folder / "summary.csv").exists()
    monkeypatch.setenv("LNR_REPORTS_DIR", str(tmp_path / "nightly"))
    code, out, _ = lnr(capsys, "report", "--db", db)
    assert (code, out) == (0, f"wrote {tmp_path / 'nightly' / folder}\n")
    assert not list((tmp_path / "cwd").iterdir()), "nothing written into the current folder"


def test_the_commands_find_the_demo_database_from_where_make_demo_ran(capsys, monkeypatch, night, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out" / "demo").mkdir(parents=True)
    shutil.copyfile(night.database, tmp_path / "out" / "demo" / "lnr_audit.duckdb")
    assert demo_next_step(Path("out/demo/lnr_audit.duckdb")) == "lnr-audit findings list   (or: make findings)"
    code, out, err = lnr(capsys, "findings", "list")
    assert (code, err) == (0, "") and len(table_rows(out)) == night.live.height
    elsewhere = Path("elsewhere/lnr_audit.duckdb")
    assert demo_next_step(elsewhere) == f"lnr-audit findings list --db {elsewhere}"


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
        until = TODAY + dt.timedelta(days=3)
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
    assert sorted(table_rows(out)) == sorted(expected_rows(night, night.live))


def test_a_command_waits_for_a_running_audit_to_finish(capsys, night, db):
    with writer_holding(db, 2.0) as writer:
        assert writer.poll() is None
        started = time.monotonic()
        code, out, err = lnr(capsys, "findings", "list", "--wait", "20", "--db", db)
        waited = time.monotonic() - started
        assert writer.wait(timeout=10) == 0
    assert (code, err) == (0, "")
    assert waited >= 0.5, "the command waited for the writer"
    assert sorted(table_rows(out)) == sorted(expected_rows(night, night.live))


def test_wait_must_be_a_number_of_seconds(capsys, night):
    code, out, err = lnr(capsys, "findings", "list", "--wait", "soon", "--db", night.database)
    assert code == 2 and out == "" and "argument --wait: not a number of seconds" in err
