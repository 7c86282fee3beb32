"""The Dagster UI as the place to act on findings, in headless Chromium against the real webserver: a failing rule's
check with keys, evidence and record links; the overview of every unresolved finding, critical first; and a finding
acknowledged from the Launchpad.

With LNR_SCREENSHOTS_DIR set, the screenshots are saved there (docs/ui-*.png in the README).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import pytest

from checks.findings import SEVERITY_NAMES
from checks.record_links import LinkBases, record_links
from pipelines.demo import DemoPaths
from tests.pipelines.sandbox_nights import findings_of_night
from tests.ui.browser import HeadlessChromium
from tests.ui.dagster_pages import asset_url, metadata_table, open_asset_check, scroll_to_metadata
from tests.ui.webserver import dagster_webserver

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]
# Runs launched from the UI start at once, without the daemon that a queued coordinator needs.
RUN_AT_ONCE = "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: DefaultRunCoordinator\n"
# The links to the records in Zuora, Salesforce, CustomersDot and GitLab.com (not the UI's own).
LAUNCH_READY_JS = (
    "[...document.querySelectorAll('button')].some((b) => b.innerText.trim() === 'Launch Run' && !b.disabled"
    " && b.getAttribute('aria-disabled') !== 'true')"
)
LINKS_JS = "[...document.links].map((a) => a.href).filter((h) => !h.startsWith(location.origin))"


@pytest.fixture(scope="module")
def ui(audited_nights, tmp_path_factory):
    """A copy of the shared audited nights (the acknowledgement writes to it), the Dagster webserver on it and a
    headless Chromium."""
    tmp = tmp_path_factory.mktemp("ui")
    out = tmp / "out"
    shutil.copytree(audited_nights.out, out)
    paths = DemoPaths(out)
    known = findings_of_night(out, audited_nights.worlds[-1])
    with (paths.dagster_home / "dagster.yaml").open("a", encoding="utf-8") as settings:
        settings.write(RUN_AT_ONCE)
    env = {"LNR_DUCKDB_PATH": str(paths.database), "LNR_AS_OF": str(known["last_seen"].max())}
    with dagster_webserver(REPO / "workspace.yaml", paths.dagster_home, env=env) as base_url:
        with HeadlessChromium() as browser:
            yield {
                "base_url": base_url, "browser": browser, "known": known, "out": out,
                "worlds": audited_nights.worlds, "tmp": tmp,
            }


def record_path(url: str) -> str:
    """The part of a record link that names the record: its path and query, whichever host serves it."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def keep(shot: Path, name: str) -> None:
    """Save a screenshot for the documentation when asked to."""
    assert shot.stat().st_size > 20_000
    if os.environ.get("LNR_SCREENSHOTS_DIR"):
        shutil.copyfile(shot, Path(os.environ["LNR_SCREENSHOTS_DIR"]) / name)


def test_a_failing_rule_shows_its_findings_with_keys_evidence_and_links(ui):
    browser, known = ui["browser"], ui["known"]
    unresolved = known.filter(pl.col("status") != "resolved")
    rule_id = unresolved.filter(pl.col("severity") == "high")["rule_id"].sort()[0]
    mine = unresolved.filter(pl.col("rule_id") == rule_id)

    open_asset_check(browser, ui["base_url"], ["audit", "findings"], rule_id)
    rows = metadata_table(browser, "findings")
    scroll_to_metadata(browser, "findings")
    shot = browser.screenshot(ui["tmp"] / "ui-rule-check.png")
    browser.click_text("[Show Markdown]")
    links = set(browser.wait_for(f"(({LINKS_JS}).length > 0) && {LINKS_JS}", 10, "record links"))
    links_shot = browser.screenshot(ui["tmp"] / "ui-record-links.png")

    assert {row["subject_id"] for row in rows} == set(mine["subject_id"])
    assert [row["first_seen"] for row in rows] == sorted(row["first_seen"] for row in rows)
    assert all(row["summary"] and row["evidence"] and row["records"] for row in rows)
    assert f"all {mine.height} shown" in browser.text()
    # The nights ran with the links of Zuora and Salesforce pointed at the sandbox: compare the records' paths.
    rows_links = [record_links(row, LinkBases()).values() for row in mine.iter_rows(named=True)]
    expected = {record_path(url) for urls in rows_links for url in urls}
    assert expected and expected <= {record_path(url) for url in links}
    keep(shot, "ui-rule-check.png")
    keep(links_shot, "ui-record-links.png")


def test_the_overview_lists_every_unresolved_finding_critical_first(ui):
    browser, known = ui["browser"], ui["known"]
    unresolved = known.filter(pl.col("status") != "resolved")

    browser.goto(asset_url(ui["base_url"], ["audit", "unresolved_findings"]))
    rows = metadata_table(browser, "findings", timeout=60)
    scroll_to_metadata(browser, "unresolved")
    shot = browser.screenshot(ui["tmp"] / "ui-overview.png")

    assert len(rows) == min(200, unresolved.height)
    ranks = [SEVERITY_NAMES.index(row["severity"]) for row in rows]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert {row["finding_id"] for row in rows} <= set(unresolved["finding_id"])
    keep(shot, "ui-overview.png")


def test_a_finding_is_acknowledged_from_the_launchpad(ui):
    browser = ui["browser"]
    finding = ui["known"].filter((pl.col("status") != "resolved") & ~pl.col("acknowledged")).row(0, named=True)
    until = dt.date.today() + dt.timedelta(days=60)
    config = (
        "ops:\n  acknowledge_finding_op:\n    config:\n"
        f"      finding_id: {finding['finding_id']}\n      reason: ZBILL-42 credit note pending\n"
        f'      until: "{until}"\n'
    )

    browser.goto(f"{ui['base_url']}/locations/lnr_audit/jobs/acknowledge_finding/playground")
    browser.wait_for("document.querySelector('.CodeMirror') !== null", 60, "the Launchpad's config editor")
    browser.evaluate(f"document.querySelector('.CodeMirror').CodeMirror.setValue({json.dumps(config)})")
    browser.wait_for_text("No errors", 30)
    browser.wait_for(LAUNCH_READY_JS, 30, "an enabled Launch Run button")
    shot = browser.screenshot(ui["tmp"] / "ui-acknowledge.png")
    browser.click_text("Launch Run", timeout=30)
    browser.wait_for("location.pathname.includes('/runs/')", 60, "the launched run's page")
    browser.wait_for_text("RUN_SUCCESS", 120)

    after = findings_of_night(ui["out"], ui["worlds"][-1])
    row = after.filter(pl.col("finding_id") == finding["finding_id"]).row(0, named=True)
    assert (row["acknowledged"], row["ack_reason"], row["ack_until"]) == (True, "ZBILL-42 credit note pending", until)
    keep(shot, "ui-acknowledge.png")
