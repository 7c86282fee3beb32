"""The report CSVs opened by a real spreadsheet engine (LibreOffice Calc, headless): ids, dates and amounts read back
as intended, critical findings first."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from report_samples import AS_OF, finding, findings_frame, summary_frame

from assets.reports import write_reports
from checks.engine import finding_id
from checks.record_links import LinkBases

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="needs Debian's libreoffice-calc-nogui (make test installs it)"),
    pytest.mark.slow,  # LibreOffice starts in about 4 s
]

# Comma separated, double-quoted, UTF-8, from line 1, standard language, quoted fields NOT forced to text and special
# numbers (dates, scientific notation) detected: what opening a CSV in a spreadsheet does with no import dialog.
CSV_IMPORT = "CSV:44,34,76,1,,0,false,true"
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
RULE = "seat_count_mismatch"
ALL_DIGITS, E_NOTATION = "S1062", "S283"  # subjects whose fingerprints are 16 decimal digits, and digits-e-digits


def convert(paths: list[Path], out: Path) -> list[Path]:
    """`paths` converted to ODS by LibreOffice, as a user opening them would import them."""
    profile = out / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "ods",
         f"--infilter={CSV_IMPORT}", "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=120,
    )
    return [out / f"{path.stem}.ods" for path in paths]


def cell_value(cell: ElementTree.Element) -> object:
    """What the spreadsheet holds in a cell: a float, a date, or text."""
    kind = cell.get(f"{{{NS['office']}}}value-type")
    if kind in ("float", "currency", "percentage"):
        return float(cell.get(f"{{{NS['office']}}}value"))
    if kind == "date":
        return dt.date.fromisoformat(cell.get(f"{{{NS['office']}}}date-value")[:10])
    return "\n".join("".join(p.itertext()) for p in cell.findall("text:p", NS)) if kind else ""


def read_sheet(path: Path) -> list[list[object]]:
    """The rows of the first sheet of an ODS file, as the spreadsheet's values."""
    with zipfile.ZipFile(path) as ods:
        root = ElementTree.fromstring(ods.read("content.xml"))
    rows = []
    for row in root.iterfind(".//table:table/table:table-row", NS):
        cells = []
        for cell in row.iterfind("table:table-cell", NS):
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            cells += [cell_value(cell)] * min(repeat, 64)
        rows.append(cells)
    return [row for row in rows if any(value != "" for value in row)]


def as_records(rows: list[list[object]]) -> list[dict[str, object]]:
    header = rows[0]
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in rows[1:]]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


BARE_IDS = [hashlib.sha256(f"{RULE}\x1f{s}".encode()).hexdigest()[:16] for s in (ALL_DIGITS, E_NOTATION)]
TRICKY_IDS = [finding_id(RULE, subject) for subject in (ALL_DIGITS, E_NOTATION)]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """A night's report files and a CSV of bare-hex ids, with their ODS conversions (one LibreOffice run)."""
    folder = tmp_path_factory.mktemp("spreadsheet")
    findings = findings_frame(
        finding(TRICKY_IDS[0], "new", rule_id=RULE, subject_id=ALL_DIGITS, order_id="42", license_id="1385",
                severity="high", evidence='{"zuora": {"seats": 10}, "customersdot": {"quantity": 8}}'),
        finding(TRICKY_IDS[1], "open", rule_id=RULE, subject_id=E_NOTATION, severity="high",
                sf_account_id="0014WYaEyVtt0z6QVA", invoice_number="INV00101318", namespace_id="2005019"),
        finding(finding_id("a_low_rule", "x"), "open", rule_id="a_low_rule", severity="low",
                ack_until=dt.date(2024, 6, 30), acknowledged=True, ack_reason="-1 seat, =known"),
        finding(finding_id("z_critical_rule", "y"), "new", rule_id="z_critical_rule", severity="critical",
                customer_name="Zürich 1e5 GmbH", subscription_name="A-S00010852"),
        finding(finding_id("m_medium_rule", "z"), "resolved", rule_id="m_medium_rule", severity="medium",
                resolved_on=AS_OF, zuora_account_number="A00010633"),
    )
    files = write_reports(findings, summary_frame({"ZR-001": (3, 2, 1, 1)}), folder / "out", AS_OF, LinkBases())
    bare = folder / "bare.csv"
    bare.write_text('"finding_id"\r\n' + "".join(f'"{i}"\r\n' for i in BARE_IDS), encoding="utf-8")
    sources = [*files.paths, bare]
    return sources, convert(sources, folder)


def test_bare_hex_ids_are_what_a_spreadsheet_mangles(converted):
    """The hazard the F- form avoids: about 1 in 800 ids all digits or digits-e-digits, which become numbers."""
    assert BARE_IDS[0].isdigit() and re.fullmatch(r"[0-9]+e[0-9]+", BARE_IDS[1])
    values = [row[0] for row in read_sheet(converted[1][-1])[1:]]
    assert len(values) == 2 and all(isinstance(value, float) for value in values), values


def test_ids_dates_and_amounts_read_back_as_intended_and_critical_rows_first(converted):
    sources, sheets = converted
    for source, sheet in zip(sources[:3], sheets[:3], strict=True):
        written, read = read_csv(source), as_records(read_sheet(sheet))
        assert len(read) == len(written), source.name
        for expected, got in zip(written, read, strict=True):
            assert got["finding_id"] == expected["finding_id"] and got["finding_id"].startswith("F-")
            for column in ("first_seen", "last_seen", "resolved_on", "ack_until"):
                assert got[column] == (dt.date.fromisoformat(expected[column]) if expected[column] else ""), column
            for column in ("subscription_name", "sf_account_id", "invoice_number", "zuora_account_number",
                           "order_id", "license_id", "namespace_id", "subject_id"):
                value = got[column]
                assert (f"{value:.0f}" if isinstance(value, float) else value) == expected[column], (column, value)
            assert got["customer_name"] == expected["customer_name"]
            assert got["ack_reason"] == expected["ack_reason"], "text that looks like a formula stays text"
        ranks = [("critical", "high", "medium", "low").index(row["severity"]) for row in read]
        assert ranks == sorted(ranks), source.name

    open_rows = as_records(read_sheet(sheets[0]))
    assert open_rows[0]["severity"] == "critical" and open_rows[0]["customer_name"] == "Zürich 1e5 GmbH"
    assert {row["finding_id"] for row in open_rows} >= set(TRICKY_IDS)
    summary = as_records(read_sheet(sheets[3]))
    assert [row["unresolved"] for row in summary] == [3.0, 0.0, 0.0, 3.0]
    assert summary[-1]["rule_id"] == "total" and summary[-1]["resolved"] == 1.0
