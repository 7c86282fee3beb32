"""The UI test chain end to end: a failed asset check's findings table, seen in the real Dagster UI by Chromium."""

from __future__ import annotations

import importlib.util
import shutil
import struct
import textwrap
from pathlib import Path

import dagster as dg
import pytest
from dagster import DagsterInstance

from tests.ui.browser import HeadlessChromium
from tests.ui.dagster_pages import metadata_table, open_asset_check
from tests.ui.webserver import dagster_webserver, write_instance_config

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(
        shutil.which("chromium") is None, reason="needs Debian's chromium (/usr/bin/chromium) for headless UI tests"
    ),
]

SEAT_IDS = ["A-S00000101", "A-S00000102", "A-S00000103"]
ORPHAN_IDS = ["ORD-9001", "ORD-9002"]

DEFINITIONS = textwrap.dedent(
    f"""
    import dagster as dg

    KEY = dg.AssetKey(["audit", "findings"])
    SCHEMA = dg.TableSchema(columns=[dg.TableColumn("subject_id", "string"), dg.TableColumn("seats", "int")])


    def failed(severity, subject_ids):
        records = [dg.TableRecord({{"subject_id": s, "seats": i}}) for i, s in enumerate(subject_ids)]
        return dg.AssetCheckResult(
            passed=False,
            severity=severity,
            description=f"{{len(subject_ids)}} findings",
            metadata={{"open": len(subject_ids), "findings": dg.MetadataValue.table(records=records, schema=SCHEMA)}},
        )


    @dg.asset(key=KEY)
    def findings() -> int:
        return 0


    @dg.asset_check(asset=KEY, name="seat_count_mismatch")
    def seat_count_mismatch() -> dg.AssetCheckResult:
        return failed(dg.AssetCheckSeverity.WARN, {SEAT_IDS!r})


    @dg.asset_check(asset=KEY, name="orphan_orders")
    def orphan_orders() -> dg.AssetCheckResult:
        return failed(dg.AssetCheckSeverity.ERROR, {ORPHAN_IDS!r})


    defs = dg.Definitions(assets=[findings], asset_checks=[seat_count_mismatch, orphan_orders])
    """
)


def load_module(path: Path):
    """Import a python file under a name of its own."""
    spec = importlib.util.spec_from_file_location(f"ui_smoke_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_failed_check_findings_show_in_the_dagster_ui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "ui_smoke_defs.py"
    code.write_text(DEFINITIONS)
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(f"load_from:\n  - python_file: {code.name}\n")
    home = tmp_path / "dagster_home"
    write_instance_config(home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    module = load_module(code)
    with DagsterInstance.get() as instance:
        result = dg.materialize([module.findings, module.seat_count_mismatch, module.orphan_orders], instance=instance)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["seat_count_mismatch"].passed

    with dagster_webserver(workspace, home) as base_url, HeadlessChromium() as browser:
        open_asset_check(browser, base_url, ["audit", "findings"], "seat_count_mismatch")
        rows = metadata_table(browser, "findings")
        page = browser.text()
        shot = browser.screenshot(tmp_path / "seat_count_mismatch.png")

    assert [row["subject_id"] for row in rows] == SEAT_IDS
    assert all(subject_id in page for subject_id in SEAT_IDS)
    assert not any(subject_id in page for subject_id in ORPHAN_IDS)
    assert "Failed" in page
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1600, 1000)
    assert len(png) > 20_000
