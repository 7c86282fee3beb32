"""One wiring: every resource built from a mapping of LNR_* variables, for production, the sandbox and tests."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from connectors.connection import Connection
from pipelines.cli import main
from pipelines.resources import RESOURCE_TYPES
from pipelines.settings import (
    ENVIRONMENT,
    SOURCE_VARIABLES,
    VARIABLES,
    MissingConfiguration,
    missing_sources,
    require_sources,
    resources_from_environment,
    setting,
)

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "LNR_DUCKDB_PATH": "/data/audit.duckdb",
    "LNR_AS_OF": "2026-11-30",
    "LNR_EXCLUDED_ZUORA_ACCOUNTS": "A001, A002,",
    "LNR_ZUORA_BASE_URL": "https://rest.na.zuora.com",
    "LNR_ZUORA_CLIENT_ID": "zuora-id",
    "LNR_ZUORA_CLIENT_SECRET": "zuora-secret-value",
    "LNR_SALESFORCE_INSTANCE_URL": "gitlab.my.salesforce.com",
    "LNR_SALESFORCE_CONSUMER_KEY": "sf-key",
    "LNR_SALESFORCE_CONSUMER_SECRET": "sf-secret-value",
    "LNR_SALESFORCE_CA_BUNDLE": "/etc/ssl/sf.pem",
    "LNR_CUSTOMERSDOT_DATABASE_URL": "postgresql://audit@replica.example.com:5432/customers?sslmode=require",
    "LNR_CUSTOMERSDOT_PASSWORD": "cd-password-value",
    "LNR_SMTP_HOST": "smtp.example.com",
    "LNR_SMTP_PORT": "2525",
    "LNR_SMTP_STARTTLS": "false",
    "LNR_SMTP_RECIPIENTS": "a@example.com,b@example.com",
}


@pytest.fixture(autouse=True)
def no_lnr_variables(monkeypatch):
    """A process environment without any variable lnr-audit reads."""
    for variable in VARIABLES:
        monkeypatch.delenv(variable.name, raising=False)


def test_a_mapping_configures_every_resource():
    resources = resources_from_environment(PRODUCTION)
    assert {name: type(resource) for name, resource in resources.items()} == RESOURCE_TYPES
    assert resources["duckdb"].database == "/data/audit.duckdb"
    assert resources["audit_settings"].engine_settings().excluded_zuora_accounts == ("A001", "A002")
    assert str(resources["audit_settings"].audit_date()) == "2026-11-30"
    assert resources["zuora"].client_secret == "zuora-secret-value"
    assert resources["salesforce"].connection() == Connection(ca_bundle="/etc/ssl/sf.pem")
    assert resources["zuora"].connection() == Connection()
    smtp = resources["reports"].smtp_settings()
    assert (smtp.port, smtp.starttls, smtp.recipients) == (2525, False, ("a@example.com", "b@example.com"))


def test_secrets_of_the_process_environment_are_passed_by_reference(monkeypatch):
    monkeypatch.setenv("LNR_ZUORA_CLIENT_SECRET", PRODUCTION["LNR_ZUORA_CLIENT_SECRET"])
    resources = resources_from_environment(PRODUCTION)
    assert resources["zuora"].client_secret == dg.EnvVar("LNR_ZUORA_CLIENT_SECRET")
    assert "zuora-secret-value" not in repr(resources["zuora"])


def test_without_variables_the_defaults_apply_and_sources_wait_for_a_run():
    resources = resources_from_environment({})
    assert resources["duckdb"].database == setting("LNR_DUCKDB_PATH", {}) == "lnr_audit.duckdb"
    assert resources["reports"].directory == "." and resources["reports"].smtp_settings() is None
    assert resources["zuora"].base_url == dg.EnvVar("LNR_ZUORA_BASE_URL")
    assert setting("LNR_SCHEDULE_CRON", {"LNR_SCHEDULE_CRON": "30 1 * * *"}) == "30 1 * * *"


def test_missing_sources_are_named():
    assert missing_sources({}) == list(SOURCE_VARIABLES)
    partial = {"LNR_ZUORA_BASE_URL": "https://rest.na.zuora.com", "LNR_ZUORA_CLIENT_ID": "id"}
    assert "LNR_ZUORA_BASE_URL" not in missing_sources(partial)
    assert "LNR_ZUORA_CLIENT_SECRET" in missing_sources(partial)
    require_sources(PRODUCTION)
    with pytest.raises(MissingConfiguration, match="LNR_CUSTOMERSDOT_DATABASE_URL"):
        require_sources(partial)


def test_lnr_audit_run_without_sources_fails_naming_the_variables(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("lnr-audit: no source configured")
    assert all(name in err for name in SOURCE_VARIABLES) and "--sandbox" in err
    assert list(tmp_path.iterdir()) == [], "nothing audited, nothing written"


def test_every_variable_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, help_text in ENVIRONMENT.items():
        assert f"| `{name}` | {help_text} |" in readme, name


def test_the_environment_is_read_only_in_settings():
    readers = re.compile(r"os\.environ(?!\.setdefault)|getenv\(")
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("assets", "checks", "connectors", "pipelines", "sandbox")
        for path in (REPO / folder).rglob("*.py")
        if path.name != "settings.py" and readers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
