"""Reports after a SIGKILL at every write, copy and rename point: the old night or the new one, whole, and no litter."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from report_samples import AS_OF, finding, findings_frame, summary_frame

from assets.reports import copy_reports, write_reports
from assets.reports.atomic import remove_stale_temporaries
from pipelines.demo import DemoPaths, copy_findings

pytestmark = pytest.mark.slow  # a process killed at each point of a report write

REPO = Path(__file__).resolve().parents[2]

# Runs one operation, pausing (to be killed) at the `pause_at`-th point where the files on disk change.
KILLABLE = """
import datetime as dt, os, shutil, sys, time
from pathlib import Path
import assets.reports.atomic as atomic
import assets.reports.writer as writer

operation, pause_at, exchange, args = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "exchange", sys.argv[4:]
points = 0

def pause(label):
    global points
    if points == pause_at:
        print(label, flush=True)
        time.sleep(600)
    points += 1

def at_point(label, function):
    def pausing(*a, **k):
        pause(label)
        return function(*a, **k)
    return pausing

def first_only(label, function):
    calls = []
    def pausing(*a, **k):
        calls.append(a)
        return function(*a, **k, pause=lambda: pause(label) if len(calls) == 1 else None)
    return pausing

def write_csv(path, table, pause, real=writer._write_csv):
    real(path, table)
    pause()

def copy_file(source, target, pause):
    data = Path(source).read_bytes()
    with open(target, "wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        pause()
        handle.write(data[len(data) // 2 :])
    return target

writer._write_csv = first_only("after the first file", write_csv)
shutil.copyfile = first_only("halfway through a copy", copy_file)
os.rename = at_point("rename", os.rename)
os.replace = at_point("replace", os.replace)
shutil.rmtree = at_point("remove", shutil.rmtree)
atomic._exchange = at_point("exchange", atomic._exchange) if exchange else (lambda first, second: False)

if operation == "write":
    import polars as pl
    findings, summary = pl.read_parquet(args[0]), pl.read_parquet(args[1])
    writer.write_reports(findings, summary, Path(args[2]), dt.date.fromisoformat(args[3]))
elif operation == "copy":
    from assets.reports import ReportFiles, copy_reports
    assert copy_reports(ReportFiles.at(Path(args[0]), dt.date.fromisoformat(args[2])), Path(args[1]), attempts=1).ok
else:
    from pipelines.demo import DemoPaths, copy_findings
    copy_findings(Path(args[0]), DemoPaths(Path(args[1])))
print("finished", flush=True)
"""


def night(tag: str):
    """The findings and summary of one night, told apart by `tag`."""
    findings = findings_frame(*(finding(f"{tag}-{n}", "open", summary=tag * 200) for n in range(50)))
    return findings, summary_frame({"ZR-001": (50, 0, 0, 0)})


@dataclass
class Case:
    """One replaced output: its new content, how the child replaces it, and how a next run writes the old again."""

    target: Path
    new: object
    args: list[str]
    rewrite_old: object

    def state(self):
        """The target's content: {file name: bytes} for a folder, bytes for a file, None when absent."""
        if self.target.is_dir():
            return contents(self.target)
        return self.target.read_bytes() if self.target.exists() else None

    def litter(self) -> list[str]:
        """Hidden entries beside the target (temporaries)."""
        return sorted(path.name for path in self.target.parent.iterdir() if path.name.startswith("."))


def contents(folder: Path) -> dict[str, bytes]:
    """{file name: bytes} of a folder."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def prepare(operation: str, tmp: Path) -> Case:
    """The old version in place, the new one ready for the child to write or copy."""
    old, new = night("old"), night("new")
    old_files, new_files = write_reports(*old, tmp / "old", AS_OF), write_reports(*new, tmp / "new", AS_OF)
    if operation == "write":
        base = tmp / "out"
        new[0].write_parquet(tmp / "findings.parquet")
        new[1].write_parquet(tmp / "summary.parquet")
        files = write_reports(*old, base, AS_OF)
        args = [str(tmp / "findings.parquet"), str(tmp / "summary.parquet"), str(base), AS_OF.isoformat()]
        return Case(files.folder, contents(new_files.folder), args, lambda: write_reports(*old, base, AS_OF))
    if operation == "copy":
        share = tmp / "share"
        copy_reports(old_files, share)
        args = [str(tmp / "new"), str(share), AS_OF.isoformat()]
        return Case(share / AS_OF.isoformat(), contents(new_files.folder), args, lambda: copy_reports(old_files, share))
    paths = DemoPaths(tmp / "demo")
    copy_findings(old_files.folder, paths)
    args = [str(new_files.folder), str(paths.out)]
    return Case(
        paths.findings_csv, new_files.findings_open.read_bytes(), args, lambda: copy_findings(old_files.folder, paths)
    )


def run_child(operation: str, pause_at: int, exchange: bool, case: Case) -> str:
    """Run the child until it pauses, then SIGKILL it; returns where it paused, or `finished`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, operation, str(pause_at), "exchange" if exchange else "plain", *case.args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    label = proc.stdout.readline().strip()
    proc.kill()  # SIGKILL: no handler, no cleanup
    proc.wait(timeout=30)
    error = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert label, error
    return label


@pytest.mark.parametrize(
    "operation, exchange, points",
    [
        ("write", True, ["after the first file", "exchange", "remove"]),
        ("write", False, ["after the first file", "rename", "rename", "remove"]),
        ("copy", True, ["halfway through a copy", "exchange", "remove"]),
        ("copy", False, ["halfway through a copy", "rename", "rename", "remove"]),
        ("demo", True, ["halfway through a copy", "replace"]),
    ],
)
def test_a_kill_at_any_point_leaves_the_old_or_the_new_output_whole_and_the_next_run_clears_up(
    tmp_path, operation, exchange, points
):
    case = prepare(operation, tmp_path)
    old = case.state()
    assert old != case.new and case.litter() == []
    paused = []
    for pause_at in itertools.count():
        label = run_child(operation, pause_at, exchange, case)
        if label == "finished":
            break
        paused.append(label)
        if exchange:
            assert case.state() in (old, case.new), f"killed at {label}: a reader sees a mix"
        remove_stale_temporaries(case.target.parent)  # what the next run does first
        assert case.state() in (old, case.new), f"killed at {label}"
        assert case.litter() == [], f"killed at {label}"
        case.rewrite_old()
        assert case.state() == old and case.litter() == []
    assert paused == points
    assert case.state() == case.new
    assert case.litter() == []
