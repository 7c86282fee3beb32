"""The base URLs of the findings' record links: documented settings, pointed at the sandbox servers when it runs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from checks.record_links import LINK_VARIABLES, LinkBases, record_links
from pipelines.settings import ENVIRONMENT, sandbox_link_environment

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_link_variables_are_documented() -> None:
    readme = README.read_text(encoding="utf-8")
    for variable in LINK_VARIABLES.values():
        assert variable in ENVIRONMENT and f"| `{variable}` |" in readme


def test_the_sandbox_points_the_links_at_its_servers() -> None:
    endpoints = SimpleNamespace(zuora_url="http://127.0.0.1:4001", salesforce_instance_url="127.0.0.1:4002")
    bases = LinkBases.from_variables(sandbox_link_environment(endpoints))
    keys = {"subscription_name": "A-S1", "sf_account_id": "001x", "order_id": "7", "namespace_id": "9"}
    links = record_links(keys, bases)
    assert links == {
        "Zuora subscription": "http://127.0.0.1:4001/apps/Subscription.do?method=view&id=A-S1",
        "Salesforce account": "https://127.0.0.1:4002/lightning/r/Account/001x/view",
        "CustomersDot order": "https://customers.gitlab.com/admin/order/7",
        "GitLab.com group billing": "https://gitlab.com/groups/9/-/billings",
    }
