"""Navigation of the Dagster UI (1.13) for UI tests."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from tests.ui.browser import HeadlessChromium

# {rows: [{column: cell text}]} of the table metadata entry `label`, or null while it is not shown.
_METADATA_TABLE_JS = """
((label) => {
  for (const row of document.querySelectorAll('tr')) {
    const [key, ...values] = row.cells;  // an asset's metadata has a timestamp column between
    const table = values.map((cell) => cell.querySelector('table')).find(Boolean);
    if (!table || key.innerText.trim() !== label) continue;
    const columns = [...table.tHead.rows[0].cells].map((cell) => cell.innerText.trim());
    const rows = table.tBodies[0] ? [...table.tBodies[0].rows] : [];
    const record = (r) => Object.fromEntries([...r.cells].map((cell, i) => [columns[i], cell.innerText.trim()]));
    return {rows: rows.map(record)};
  }
  return null;
})
"""


def asset_url(base_url: str, asset_key_path: list[str], **query: str) -> str:
    """The URL of an asset's page, e.g. `view="checks"` for its Checks tab."""
    path = "/".join(urllib.parse.quote(part, safe="") for part in asset_key_path)
    return f"{base_url}/assets/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")


def open_asset_check(
    browser: HeadlessChromium, base_url: str, asset_key_path: list[str], check_name: str, timeout: float = 60
) -> None:
    """Open the asset's Checks tab, pick `check_name` from its list, and wait for its latest evaluation's metadata."""
    browser.goto(asset_url(base_url, asset_key_path, view="checks"))
    browser.type_text('input[placeholder="Filter checks"]', check_name, timeout)
    browser.click(f"[title={json.dumps(check_name)}]", timeout)
    name = json.dumps(check_name)
    browser.wait_for(
        f"new URLSearchParams(location.search).get('checkDetail') === {name}"
        f" && document.body.innerText.includes('\\n' + {name} + '\\nExecute\\n')"
        " && document.body.innerText.includes('Evaluation result')"
        " && document.body.innerText.includes('Metadata')",
        timeout,
        f"the latest evaluation of check {check_name!r}",
    )


def metadata_table(browser: HeadlessChromium, label: str, timeout: float = 10) -> list[dict[str, Any]]:
    """The rows of the table metadata entry `label` shown on the page, as {column: cell text}."""
    found = browser.wait_for(f"{_METADATA_TABLE_JS}({json.dumps(label)})", timeout, f"metadata table {label!r}")
    return found["rows"]


def scroll_to_metadata(browser: HeadlessChromium, label: str) -> None:
    """Scroll the metadata entry `label` to the top of the view, for a screenshot of it."""
    browser.evaluate(
        "(() => { const row = [...document.querySelectorAll('tr')].find((r) => r.cells[0] &&"
        f" r.cells[0].innerText.trim() === {json.dumps(label)}); if (row) row.scrollIntoView({{block: 'start'}}); }})()"
    )
