"""The Salesforce API version and bulk threshold: read from the environment, documented, handed to the client."""

from __future__ import annotations

from pathlib import Path

from pipelines.settings import ENVIRONMENT, resources_from_environment

README = Path(__file__).resolve().parents[2] / "README.md"
BASE = {"LNR_SALESFORCE_INSTANCE_URL": "example.my.salesforce.com", "LNR_SALESFORCE_SESSION_ID": "00Dx"}


def test_the_api_version_and_bulk_threshold_come_from_the_environment() -> None:
    env = {**BASE, "LNR_SALESFORCE_API_VERSION": "61.0", "LNR_SALESFORCE_BULK_THRESHOLD": "25000"}
    resource = resources_from_environment(env)["salesforce"]
    client = resource.model_copy(update={"instance_url": "example.my.salesforce.com", "session_id": "00Dx"})._open()
    assert (client.api_version, client.bulk_threshold) == ("61.0", 25000)
    defaults = resources_from_environment(BASE)["salesforce"]
    assert (defaults.api_version, defaults.bulk_threshold) == ("59.0", 10_000)


def test_the_variables_are_documented() -> None:
    readme = README.read_text(encoding="utf-8")
    for variable in ("LNR_SALESFORCE_API_VERSION", "LNR_SALESFORCE_BULK_THRESHOLD"):
        assert variable in ENVIRONMENT and f"| `{variable}` |" in readme
