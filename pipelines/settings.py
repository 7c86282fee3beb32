"""Production settings from the environment: every variable lnr-audit reads, in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from checks.record_links import LINK_VARIABLES, LinkBases
from connectors.salesforce import API_VERSION, BULK_THRESHOLD
from pipelines.database import DEFAULT_DATABASE
from pipelines.resources import (
    AuditSettingsResource,
    CustomersDotResource,
    ReportsResource,
    SalesforceResource,
    ZuoraResource,
    duckdb_resource,
)

# variable → what it sets; secrets are read through dagster.EnvVar at run time, never stored.
ENVIRONMENT: dict[str, str] = {
    "LNR_DUCKDB_PATH": f"the DuckDB file (default {DEFAULT_DATABASE})",
    "LNR_AS_OF": "the audit date YYYY-MM-DD (default: today, UTC)",
    "LNR_EXCLUDED_ZUORA_ACCOUNTS": "Zuora account numbers left out of the audit, comma-separated",
    "LNR_FULL_RELOAD_DAYS": "days between full reloads of objects whose ids are costly to list (default 7)",
    "LNR_MAX_ROW_DROP_PERCENT": "a load shrinking an object by more than this is held back (default 50)",
    "LNR_ZUORA_BASE_URL": "Zuora REST base URL of your data center, e.g. https://rest.na.zuora.com",
    "LNR_ZUORA_CLIENT_ID": "Zuora OAuth client id",
    "LNR_ZUORA_CLIENT_SECRET": "Zuora OAuth client secret (secret)",
    "LNR_ZUORA_BULK_THRESHOLD": "records above which a Zuora read goes to Data Query (default 20000)",
    "LNR_ZUORA_MAX_CONCURRENT_JOBS": "Zuora Data Query jobs running at once (default 4)",
    "LNR_SALESFORCE_INSTANCE_URL": "Salesforce instance host, e.g. gitlab.my.salesforce.com",
    "LNR_SALESFORCE_SESSION_ID": "a Salesforce session id (secret; or use the consumer key and secret)",
    "LNR_SALESFORCE_CONSUMER_KEY": "Salesforce connected-app consumer key (OAuth client credentials)",
    "LNR_SALESFORCE_CONSUMER_SECRET": "Salesforce connected-app consumer secret (secret)",
    "LNR_SALESFORCE_DOMAIN": "Salesforce My Domain for the token endpoint, e.g. gitlab.my",
    "LNR_SALESFORCE_CA_BUNDLE": "a CA bundle to verify Salesforce with (default: the system's)",
    "LNR_SALESFORCE_API_VERSION": f"Salesforce API version for REST and Bulk API 2.0 (default {API_VERSION})",
    "LNR_SALESFORCE_BULK_THRESHOLD": f"records above which a read uses Bulk API 2.0 (default {BULK_THRESHOLD})",
    "LNR_CUSTOMERSDOT_DATABASE_URL": "CustomersDot's PostgreSQL (a read replica) as postgresql://user@host:port/"
    "dbname?sslmode=require, a read-only role",
    "LNR_CUSTOMERSDOT_PASSWORD": "that role's password (secret; or PGPASSFILE / ~/.pgpass)",
    "LNR_REPORTS_DIR": "the folder under which reports/<as_of>/ is written (default: the DuckDB file's folder)",
    "LNR_REPORTS_COPY_TO": "a folder the reports are copied to after each run",
    "LNR_SMTP_HOST": "SMTP server for the report e-mail (unset: no e-mail)",
    "LNR_SMTP_PORT": "SMTP port (default 587)",
    "LNR_SMTP_STARTTLS": "true/false: STARTTLS before login (default true)",
    "LNR_SMTP_USERNAME": "SMTP login",
    "LNR_SMTP_PASSWORD": "SMTP password (secret)",
    "LNR_SMTP_SENDER": "From: address of the report e-mail",
    "LNR_SMTP_RECIPIENTS": "report recipients, comma-separated",
    "LNR_SCHEDULE_CRON": "cron of the nightly audit (default 0 3 * * *)",
    "LNR_SCHEDULE_TIMEZONE": "time zone of the schedule (default UTC)",
    "LNR_LINK_ZUORA_URL": f"Zuora web UI the findings link to (default {LinkBases.zuora})",
    "LNR_LINK_SALESFORCE_URL": f"Salesforce Lightning host the findings link to (default {LinkBases.salesforce})",
    "LNR_LINK_CUSTOMERSDOT_URL": (
        f"CustomersDot host whose admin pages the findings link to (default {LinkBases.customersdot})"
    ),
    "LNR_LINK_GITLAB_URL": (
        f"GitLab.com host of the groups' billing pages the findings link to (default {LinkBases.gitlab})"
    ),
}


SOURCE_URLS = ("LNR_ZUORA_BASE_URL", "LNR_SALESFORCE_INSTANCE_URL", "LNR_CUSTOMERSDOT_DATABASE_URL")


def production_configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether any production source is configured; without one, the sandbox is the source."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in SOURCE_URLS)


def _optional(env: Mapping[str, str], name: str) -> Any:
    """An EnvVar for `name` when it is set, else None (so optional settings may stay unset)."""
    return dg.EnvVar(name) if env.get(name) else None


def _numbers(env: Mapping[str, str], **names: str) -> dict[str, float]:
    """The settings whose variables are set, as numbers; a clear error naming the variable otherwise."""
    values = {}
    for setting, name in names.items():
        if env.get(name):
            try:
                values[setting] = float(env[name])
            except ValueError:
                raise ValueError(f"{name} must be a number, not {env[name]!r}") from None
    return values


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def resources_from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The resources of a production deployment, configured from LNR_* variables."""
    env = os.environ if env is None else env
    database = env.get("LNR_DUCKDB_PATH") or DEFAULT_DATABASE
    return {
        "duckdb": duckdb_resource(database),
        "audit_settings": AuditSettingsResource(
            as_of=env.get("LNR_AS_OF") or None,
            excluded_zuora_accounts=_split(env.get("LNR_EXCLUDED_ZUORA_ACCOUNTS")),
            **_numbers(env, full_reload_days="LNR_FULL_RELOAD_DAYS", max_row_drop_percent="LNR_MAX_ROW_DROP_PERCENT"),
        ),
        "zuora": ZuoraResource(
            base_url=dg.EnvVar("LNR_ZUORA_BASE_URL"),
            client_id=dg.EnvVar("LNR_ZUORA_CLIENT_ID"),
            client_secret=dg.EnvVar("LNR_ZUORA_CLIENT_SECRET"),
            **_numbers(
                env, bulk_threshold="LNR_ZUORA_BULK_THRESHOLD", max_concurrent_jobs="LNR_ZUORA_MAX_CONCURRENT_JOBS"
            ),
        ),
        "salesforce": SalesforceResource(
            instance_url=dg.EnvVar("LNR_SALESFORCE_INSTANCE_URL"),
            session_id=_optional(env, "LNR_SALESFORCE_SESSION_ID"),
            consumer_key=_optional(env, "LNR_SALESFORCE_CONSUMER_KEY"),
            consumer_secret=_optional(env, "LNR_SALESFORCE_CONSUMER_SECRET"),
            domain=env.get("LNR_SALESFORCE_DOMAIN") or None,
            ca_bundle=env.get("LNR_SALESFORCE_CA_BUNDLE") or None,
            api_version=env.get("LNR_SALESFORCE_API_VERSION") or API_VERSION,
            bulk_threshold=int(env.get("LNR_SALESFORCE_BULK_THRESHOLD") or BULK_THRESHOLD),
        ),
        "customersdot": CustomersDotResource(
            database_url=dg.EnvVar("LNR_CUSTOMERSDOT_DATABASE_URL"),
            password=_optional(env, "LNR_CUSTOMERSDOT_PASSWORD"),
        ),
        "reports": ReportsResource(
            directory=env.get("LNR_REPORTS_DIR") or str(Path(database).parent),
            copy_to=env.get("LNR_REPORTS_COPY_TO") or None,
            smtp_host=env.get("LNR_SMTP_HOST") or None,
            smtp_port=int(env.get("LNR_SMTP_PORT") or 587),
            smtp_starttls=(env.get("LNR_SMTP_STARTTLS") or "true").lower() != "false",
            smtp_username=env.get("LNR_SMTP_USERNAME") or None,
            smtp_password=_optional(env, "LNR_SMTP_PASSWORD"),
            smtp_sender=env.get("LNR_SMTP_SENDER") or None,
            smtp_recipients=_split(env.get("LNR_SMTP_RECIPIENTS")),
        ),
    }


def sandbox_environment(endpoints: Any, database: str, as_of: str, reports_dir: str) -> dict[str, str]:
    """The LNR_* variables that point lnr-audit at running sandbox servers."""
    return {
        "LNR_DUCKDB_PATH": database,
        "LNR_AS_OF": as_of,
        "LNR_REPORTS_DIR": reports_dir,
        "LNR_ZUORA_BASE_URL": endpoints.zuora_url,
        "LNR_ZUORA_CLIENT_ID": endpoints.zuora_client_id,
        "LNR_ZUORA_CLIENT_SECRET": endpoints.zuora_client_secret,
        "LNR_SALESFORCE_INSTANCE_URL": endpoints.salesforce_instance_url,
        "LNR_SALESFORCE_CONSUMER_KEY": endpoints.salesforce_consumer_key,
        "LNR_SALESFORCE_CONSUMER_SECRET": endpoints.salesforce_consumer_secret,
        "LNR_SALESFORCE_CA_BUNDLE": str(endpoints.salesforce_ca_bundle),
        "LNR_CUSTOMERSDOT_DATABASE_URL": endpoints.customersdot_database_url,
        "LNR_CUSTOMERSDOT_PASSWORD": endpoints.customersdot_password,
        **sandbox_link_environment(endpoints),
    }


def sandbox_link_environment(endpoints: Any) -> dict[str, str]:
    """The LNR_LINK_* variables that point the findings' links at the sandbox's Zuora and Salesforce servers (its
    CustomersDot is a database, and GitLab.com is not served: those links keep the real hosts)."""
    bases = {"zuora": endpoints.zuora_url, "salesforce": "https://" + endpoints.salesforce_instance_url}
    return {LINK_VARIABLES[system]: url for system, url in bases.items()}
