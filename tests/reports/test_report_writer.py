"""The report files: Excel-friendly CSV read back with the csv module, their contents and atomic writes."""

import csv
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest
from report_samples import AS_OF, RULES, YESTERDAY, finding, findings_frame, summary_frame

import assets.reports.columns as columns_module
from assets.reports import REPORT_COLUMNS, SUMMARY_COLUMNS, ReportFiles, write_reports
from checks.record_links import LinkBases

BOM = b"\xef\xbb\xbf"
REPO = Path(__file__).resolve().parents[2]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_id(path: Path) -> dict[str, dict[str, str]]:
    return {row["finding_id"]: row for row in read_csv(path)}


def test_files_land_in_reports_as_of_under_the_base_folder(tmp_path, report_files):
    assert report_files.folder == tmp_path / "out" / "reports" / "2024-05-02"
    assert [path.name for path in report_files.paths] == [
        "findings_open.csv",
        "findings_new.csv",
        "findings_resolved.csv",
        "summary.csv",
    ]
    assert sorted(report_files.folder.iterdir()) == sorted(report_files.paths)
    assert ReportFiles.at(tmp_path / "out", AS_OF) == report_files


def test_files_are_utf8_with_bom_and_crlf_line_ends(tmp_path):
    findings = findings_frame(finding("f-new", "new"), finding("f-gone", "resolved"))
    files = write_reports(findings, summary_frame({"ZR-001": (1, 1, 1, 0)}), tmp_path, AS_OF)
    for path in files.paths:
        raw = path.read_bytes()
        assert raw.startswith(BOM)
        assert raw.endswith(b"\r\n")
        assert raw.count(b"\n") == raw.count(b"\r\n") == len(read_csv(path)) + 1


# The header Fulfillment's spreadsheets read: a contract, written out here once so no refactoring can move it.
FULFILLMENT_HEADER = (
    "finding_id,severity,rule_id,category,status,customer_name,summary,evidence_text,acknowledged,ack_reason,"
    "ack_until,suggested_action,first_seen,last_seen,resolved_on,zuora_link,salesforce_link,customersdot_link,"
    "gitlab_link,zuora_account_number,subscription_name,sf_account_id,sf_opportunity_id,invoice_number,order_id,"
    "license_id,billing_account_id,namespace_id,subject_id,evidence"
)


def test_columns_are_fixed_and_in_order(report_files):
    for path in report_files.paths[:3]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            assert ",".join(next(csv.reader(handle))) == FULFILLMENT_HEADER
    with report_files.summary.open(encoding="utf-8-sig", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == SUMMARY_COLUMNS


def test_open_new_and_resolved_files_hold_the_right_findings(tmp_path):
    findings = findings_frame(
        finding("f-new", "new"),
        finding("f-open", "open"),
        finding("f-back", "reopened"),
        finding("f-acked", "open", acknowledged=True, ack_reason="Known", ack_until=dt.date(2024, 6, 30)),
        finding("f-tonight", "resolved"),
        finding("f-last-week", "resolved", resolved_on=dt.date(2024, 4, 25)),
    )
    files = write_reports(findings, summary_frame(), tmp_path, AS_OF)

    open_rows = by_id(files.findings_open)
    assert sorted(open_rows) == ["f-acked", "f-back", "f-new", "f-open"]
    assert {row["acknowledged"] for key, row in open_rows.items() if key != "f-acked"} == {"no"}
    assert open_rows["f-acked"]["acknowledged"] == "yes"
    assert open_rows["f-acked"]["ack_reason"] == "Known"
    assert open_rows["f-acked"]["ack_until"] == "2024-06-30"
    assert list(by_id(files.findings_new)) == ["f-new"]
    assert list(by_id(files.findings_resolved)) == ["f-tonight"]


def test_values_round_trip_with_quoting_unicode_and_iso_dates(tmp_path):
    tricky = 'Zürich GmbH, "Premium" renewal\nsecond line'
    findings = findings_frame(
        finding(
            "f-1", "new", summary=tricky, subscription_name="株式会社テスト", evidence='{"name": "Zürich"}'
        ),
    )
    files = write_reports(findings, summary_frame(), tmp_path, AS_OF)

    row = by_id(files.findings_open)["f-1"]
    assert row["summary"] == tricky
    assert row["subscription_name"] == "株式会社テスト"
    assert row["evidence"] == '{"name": "Zürich"}'
    assert (row["first_seen"], row["last_seen"], row["resolved_on"]) == ("2024-05-02", "2024-05-02", "")
    assert row["sf_account_id"] == ""
    raw = files.findings_open.read_bytes().decode("utf-8")
    assert '"Zürich GmbH, ""Premium"" renewal\nsecond line"' in raw


def test_formulas_in_customer_text_are_neutralised_in_the_file(tmp_path):
    findings = findings_frame(
        finding(
            "f-1",
            "open",
            summary='=HYPERLINK("http://x","click")',
            suggested_action="@SUM(1+1)",
            subscription_name="-2+3",
            zuora_account_number="+A0001",
            sf_account_id="\t001",
            ack_reason="\rnote",
            evidence="ok;=1+2",
        ),
    )
    files = write_reports(findings, summary_frame(), tmp_path, AS_OF)

    row = by_id(files.findings_open)["f-1"]
    assert row["summary"] == '\'=HYPERLINK("http://x","click")'
    assert row["suggested_action"] == "'@SUM(1+1)"
    assert row["subscription_name"] == "'-2+3"
    assert row["zuora_account_number"] == "'+A0001"
    assert row["sf_account_id"] == "'\t001"
    assert row["ack_reason"] == "'\rnote"
    assert row["evidence"] == "ok;'=1+2"
    with files.findings_open.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for record in csv.reader(handle) for cell in record]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_summary_has_every_rule_with_plain_number_counts(tmp_path):
    summary = summary_frame({"ZR-001": (5, 2, 1, 1), "CD-002": (None, None, 3, None)})
    files = write_reports(findings_frame(), summary, tmp_path, AS_OF)

    rows = read_csv(files.summary)
    assert [row["rule_id"] for row in rows] == [rule_id for rule_id, _, _ in RULES] + ["total"]
    assert [row["title"] for row in rows] == [f"title of {rule_id}" for rule_id, _, _ in RULES] + ["all rules"]
    assert [tuple(row[c] for c in ("unresolved", "new", "resolved", "acknowledged")) for row in rows] == [
        ("5", "2", "1", "1"),
        ("0", "0", "3", "0"),
        ("0", "0", "0", "0"),
        ("5", "2", "4", "1"),
    ]
    assert b'"SF-003","title of SF-003","crm","low",0,0,0,0\r\n' in files.summary.read_bytes()
    assert files.summary.read_bytes().endswith(b'"total","all rules","","",5,2,4,1\r\n')


def test_rows_are_ordered_by_severity_then_rule_then_age(tmp_path):
    older = dt.date(2024, 3, 1)
    findings = findings_frame(
        finding("f-low", "open", severity="low", rule_id="AA-1"),
        finding("f-high-b", "new", severity="high", rule_id="BB-2"),
        finding("f-high-a-new", "new", severity="high", rule_id="AA-1"),
        finding("f-high-a-old", "open", severity="high", rule_id="AA-1", first_seen=older),
        finding("f-critical", "new", severity="critical", rule_id="ZZ-9"),
        finding("f-medium", "open", severity="medium", rule_id="AA-1"),
    )
    files = write_reports(findings, summary_frame(), tmp_path, AS_OF)
    assert [row["finding_id"] for row in read_csv(files.findings_open)] == [
        "f-critical", "f-high-a-old", "f-high-a-new", "f-high-b", "f-medium", "f-low",
    ]


def test_evidence_text_and_links_are_added_beside_the_json(tmp_path):
    evidence = '{"zuora": {"seats": 10, "Status": "Active"}, "customersdot": {"quantity": 8, "id": 77}}'
    findings = findings_frame(
        finding("f-1", "new", evidence=evidence, order_id="77", sf_opportunity_id="006x", sf_account_id="001x"),
        finding("f-2", "new", evidence="{}", zuora_account_number=None, subscription_name=None),
    )
    bases = LinkBases(zuora="https://z.example", salesforce="https://sf.example", customersdot="https://cd.example")
    files = write_reports(findings, summary_frame(), tmp_path, AS_OF, bases)
    rows = by_id(files.findings_open)
    assert rows["f-1"]["evidence_text"] == "Zuora says seats 10 / CustomersDot says quantity 8"
    assert rows["f-1"]["zuora_link"] == "https://z.example/apps/Subscription.do?method=view&id=A-S00012345"
    assert rows["f-1"]["salesforce_link"] == "https://sf.example/lightning/r/Opportunity/006x/view"
    assert rows["f-1"]["customersdot_link"] == "https://cd.example/admin/order/77"
    assert rows["f-1"]["gitlab_link"] == ""
    assert {rows["f-2"][c] for c in ("evidence_text", "zuora_link", "salesforce_link", "customersdot_link")} == {""}


def test_no_findings_gives_header_only_files(tmp_path):
    files = write_reports(findings_frame(), summary_frame(), tmp_path, AS_OF)
    for path in files.paths[:3]:
        assert read_csv(path) == []


def test_findings_missing_a_column_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="evidence"):
        write_reports(findings_frame().drop("evidence"), summary_frame(), tmp_path, AS_OF)
    assert not (tmp_path / "reports").exists()


def test_an_unknown_status_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="closed"):
        write_reports(findings_frame(finding("f-1", "closed")), summary_frame(), tmp_path, AS_OF)


def test_the_column_table_documents_every_column_in_order():
    documented = [
        line.split()[0]
        for line in columns_module.__doc__.splitlines()
        if line[:1].isalpha() and line.split()[0] in REPORT_COLUMNS
    ]
    assert tuple(documented) == REPORT_COLUMNS


def test_an_unusable_base_folder_leaves_nothing_behind(tmp_path):
    base = tmp_path / "base"
    base.write_text("not a folder")
    with pytest.raises(OSError):
        write_reports(findings_frame(finding("f-1", "new")), summary_frame(), base, AS_OF)
    assert list(tmp_path.iterdir()) == [base]
    assert base.read_text() == "not a folder"


FAILING_WRITE = textwrap.dedent(
    """
    import datetime as dt, resource, signal, sys
    from pathlib import Path
    import polars as pl
    from assets.reports import write_reports

    findings, summary = pl.read_parquet(sys.argv[1]), pl.read_parquet(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    try:
        write_reports(findings, summary, Path(sys.argv[3]), dt.date.fromisoformat(sys.argv[4]))
    except OSError as exc:
        sys.exit(f"write failed: {exc}")
    """
)


def test_a_write_that_fails_midway_keeps_the_previous_report_whole(tmp_path, report_files):
    before = {path: path.read_bytes() for path in report_files.paths}
    big = pl.concat([findings_frame(finding(f"f-{n}", "open", summary="x" * 1000)) for n in range(200)])
    big.write_parquet(tmp_path / "findings.parquet")
    summary_frame().write_parquet(tmp_path / "summary.parquet")

    run = subprocess.run(
        [
            sys.executable,
            "-c",
            FAILING_WRITE,
            str(tmp_path / "findings.parquet"),
            str(tmp_path / "summary.parquet"),
            str(tmp_path / "out"),
            AS_OF.isoformat(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("write failed: ") and "File too large" in run.stderr
    assert sorted(report_files.folder.iterdir()) == sorted(report_files.paths)
    assert {path: path.read_bytes() for path in report_files.paths} == before


def test_a_rerun_replaces_the_night(tmp_path, report_files):
    findings = findings_frame(finding("f-later", "open", first_seen=YESTERDAY))
    write_reports(findings, summary_frame(), tmp_path / "out", AS_OF)
    assert list(by_id(report_files.findings_open)) == ["f-later"]
    assert list(by_id(report_files.findings_new)) == []
    assert sorted(report_files.folder.iterdir()) == sorted(report_files.paths)
