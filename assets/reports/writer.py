"""Writing one night's report files: `reports/<as_of>/` with the findings and per-rule summary CSVs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.reports.atomic import replacing_folder
from assets.reports.columns import (
    INPUT_COLUMNS,
    LINK_COLUMNS,
    REPORT_COLUMNS,
    SUMMARY_COLUMNS,
    SUMMARY_COUNTS,
    TOTAL_ROW,
)
from assets.reports.csv_safety import write_spreadsheet_csv
from checks.evidence_view import finding_evidence_text
from checks.findings import KEY_NAMES, STATUS_NAMES, UNRESOLVED, resolved_on_night, severity_rank
from checks.record_links import LinkBases, system_links

FINDINGS_OPEN = "findings_open.csv"
FINDINGS_NEW = "findings_new.csv"
FINDINGS_RESOLVED = "findings_resolved.csv"
SUMMARY = "summary.csv"


@dataclass(frozen=True)
class ReportFiles:
    """The report files of night `as_of`, all in `folder`."""

    as_of: dt.date
    folder: Path

    @classmethod
    def at(cls, base_dir: Path, as_of: dt.date) -> ReportFiles:
        """The report files of `as_of` under `base_dir`: `base_dir/reports/<as_of>/`."""
        return cls(as_of, Path(base_dir) / "reports" / as_of.isoformat())

    @property
    def findings_open(self) -> Path:
        """Every unresolved finding (new, open or reopened), acknowledged ones included and marked."""
        return self.folder / FINDINGS_OPEN

    @property
    def findings_new(self) -> Path:
        """The findings first seen on `as_of`."""
        return self.folder / FINDINGS_NEW

    @property
    def findings_resolved(self) -> Path:
        """The findings resolved on `as_of`."""
        return self.folder / FINDINGS_RESOLVED

    @property
    def summary(self) -> Path:
        """Per-rule counts, one row per catalogue rule."""
        return self.folder / SUMMARY

    @property
    def paths(self) -> tuple[Path, ...]:
        """All four files, findings first."""
        return (self.findings_open, self.findings_new, self.findings_resolved, self.summary)


def write_reports(
    findings: pl.DataFrame, summary: pl.DataFrame, base_dir: Path, as_of: dt.date, bases: LinkBases | None = None
) -> ReportFiles:
    """Write night `as_of`'s reports to `base_dir/reports/<as_of>/`, the four files replaced together or not at all.

    The findings are ordered by severity, rule and age; their evidence text and record links (to `bases`,
    by default from the environment) are added; the summary gets a totals row.
    """
    _require_columns("findings", findings, INPUT_COLUMNS)
    _require_columns("summary", summary, SUMMARY_COLUMNS)
    unknown = set(findings["status"].unique().to_list()) - set(STATUS_NAMES)
    if unknown:
        raise ValueError(f"findings have unknown statuses {sorted(map(str, unknown))}; expected {STATUS_NAMES}")
    # Only the findings a file holds are presented: those resolved on earlier nights stay in the history.
    findings = _presented(findings.filter(UNRESOLVED | resolved_on_night(as_of)), bases or LinkBases())
    files = ReportFiles.at(base_dir, as_of)
    tables = {
        files.findings_open: findings.filter(UNRESOLVED).select(REPORT_COLUMNS),
        files.findings_new: findings.filter(pl.col("status") == "new").select(REPORT_COLUMNS),
        files.findings_resolved: findings.filter(resolved_on_night(as_of)).select(REPORT_COLUMNS),
        files.summary: _with_totals(summary),
    }
    with replacing_folder(files.folder) as folder:
        for path, table in tables.items():
            _write_csv(folder / path.name, table)
    return files


def _presented(findings: pl.DataFrame, bases: LinkBases) -> pl.DataFrame:
    """`findings` ordered most severe, then rule, then oldest first, with their evidence text and links."""
    rows = findings.select(["rule_id", "evidence", *KEY_NAMES]).iter_rows(named=True)
    derived = [
        {
            "evidence_text": finding_evidence_text(row["evidence"], row["rule_id"]),
            **_link_cells(system_links(row, bases)),
        }
        for row in rows
    ]
    schema = dict.fromkeys(["evidence_text", *LINK_COLUMNS.values()], pl.String)
    presented = findings.hstack(pl.DataFrame(derived, schema=schema))
    return presented.sort([severity_rank(), "rule_id", "first_seen", "subject_id"])


def _link_cells(links: dict[str, str]) -> dict[str, str | None]:
    return {column: links.get(system) for system, column in LINK_COLUMNS.items()}


def _with_totals(summary: pl.DataFrame) -> pl.DataFrame:
    """The summary's rows with plain-number counts, then a `total` row summing each count."""
    rules = summary.select(SUMMARY_COLUMNS).with_columns(pl.col(list(SUMMARY_COUNTS)).fill_null(0).cast(pl.Int64))
    total = {"rule_id": TOTAL_ROW, "title": "all rules", **{c: int(rules[c].sum()) for c in SUMMARY_COUNTS}}
    return pl.concat([rules, pl.DataFrame([total], schema=rules.schema)], how="vertical")


def _require_columns(name: str, frame: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}")


def _write_csv(path: Path, table: pl.DataFrame) -> None:
    with path.open("wb") as handle:
        write_spreadsheet_csv(handle, table)
