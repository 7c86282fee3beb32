"""The Dagster UI as the place to browse findings: a failing rule's check shows its findings table."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.pipelines.sandbox_nights import findings_of_night
from tests.ui.browser import HeadlessChromium
from tests.ui.dagster_pages import metadata_table, open_asset_check
from tests.ui.webserver import dagster_webserver

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]


def test_a_failing_rule_shows_its_findings_with_real_subject_ids(tmp_path, audited_nights):
    known = findings_of_night(audited_nights.out, audited_nights.worlds[-1])
    live = known.filter(pl.col("status") != "resolved")
    rule_id = live.filter(pl.col("severity") == "high")["rule_id"].sort()[0]
    expected = set(live.filter(pl.col("rule_id") == rule_id)["subject_id"])
    env = {"LNR_DUCKDB_PATH": str(audited_nights.database), "LNR_AS_OF": str(known["last_seen"].max())}
    with dagster_webserver(REPO / "workspace.yaml", audited_nights.dagster_home, env=env) as base_url:
        with HeadlessChromium() as browser:
            open_asset_check(browser, base_url, ["audit", "findings"], rule_id)
            rows = metadata_table(browser, "findings")
            shot = browser.screenshot(tmp_path / "rule-check.png")
    assert {row["subject_id"] for row in rows} == expected
    assert all(row["summary"] for row in rows)
    assert shot.stat().st_size > 20_000
    if os.environ.get("LNR_SCREENSHOT_TO"):
        shutil.copyfile(shot, os.environ["LNR_SCREENSHOT_TO"])
