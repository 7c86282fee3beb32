"""Settings from the environment: every variable lnr-audit reads, and the one builder of its resources."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assets.raw_store import DEFAULT_MEMORY_LIMIT
from checks.record_links import LINK_VARIABLES, LinkBases
from connectors.salesforce import API_VERSION as SALESFORCE_API_VERSION
from connectors.salesforce import BULK_THRESHOLD as SALESFORCE_BULK_THRESHOLD

DEFAULT_DATABASE = "lnr_audit.duckdb"
DEMO_DATABASE = "out/demo/lnr_audit.duckdb"  # where `make demo` writes it
DEFAULT_DAGSTER_HOME = ".dagster_home"
DEFAULT_CRON = "0 3 * * *"
DEFAULT_TIMEZONE = "UTC"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _split(value: str) -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _flag(value: str) -> bool:
    """true/false (anything but `false` is true)."""
    return value.strip().lower() != "false"


def _number(value: str) -> float:
    """A number."""
    try:
        return float(value)
    except ValueError:
        raise ValueError("a number") from None


def _true(value: str) -> bool:
    """true/false (only `true` is true)."""
    return value.strip().lower() == "true"


def _weekday(value: str) -> str:
    """A weekday's English name, in lower case."""
    if value.strip().lower() not in WEEKDAYS:
        raise ValueError(f"a weekday ({', '.join(WEEKDAYS)})")
    return value.strip().lower()


def _schedule_status(value: str) -> str:
    """running or stopped."""
    if value.strip().lower() not in ("running", "stopped"):
        raise ValueError("running or stopped")
    return value.strip().lower()


def _whole_number(value: str) -> int:
    """A whole number."""
    try:
        return int(value)
    except ValueError:
        raise ValueError("a whole number") from None


@dataclass(frozen=True)
class Variable:
    """One environment variable: what it means, and the resource field it sets (if any) and how it is read."""

    name: str
    help: str
    resource: str | None = None
    field: str | None = None
    read: Callable[[str], Any] = str
    default: Any = None
    secret: bool = False
    source: bool = False  # a source system needs it: `lnr-audit run` refuses to start without it


VARIABLES: tuple[Variable, ...] = (
    Variable("LNR_DUCKDB_PATH", f"the DuckDB file (default {DEFAULT_DATABASE})", "duckdb", "database",
             default=DEFAULT_DATABASE),
    Variable("LNR_DUCKDB_MEMORY_LIMIT",
             f"DuckDB's memory limit; larger joins spill to disk, staging or rules that cannot run again with it "
             f"doubled (default {DEFAULT_MEMORY_LIMIT})",
             "duckdb", "memory_limit", default=DEFAULT_MEMORY_LIMIT),
    Variable("LNR_AS_OF", "the audit date YYYY-MM-DD (default: today, UTC)", "audit_settings", "as_of"),
    Variable("LNR_EXCLUDED_ZUORA_ACCOUNTS", "Zuora account numbers left out of the audit, comma-separated",
             "audit_settings", "excluded_zuora_accounts", _split),
    Variable("LNR_FULL_RELOAD_DAYS", "days between full reloads of objects whose ids are costly to list (default 7)",
             "audit_settings", "full_reload_days", _number),
    Variable("LNR_MAX_ROW_DROP_PERCENT", "a load shrinking an object by more than this is held back (default 50)",
             "audit_settings", "max_row_drop_percent", _number),
    Variable("LNR_ZUORA_BASE_URL", "Zuora REST base URL of your data center, e.g. https://rest.na.zuora.com",
             "zuora", "base_url", source=True),
    Variable("LNR_ZUORA_CLIENT_ID", "Zuora OAuth client id", "zuora", "client_id", source=True),
    Variable("LNR_ZUORA_CLIENT_SECRET", "Zuora OAuth client secret (secret)", "zuora", "client_secret",
             secret=True, source=True),
    Variable("LNR_ZUORA_BULK_THRESHOLD", "records above which a Zuora read goes to Data Query (default 20000)",
             "zuora", "bulk_threshold", _whole_number),
    Variable("LNR_ZUORA_MAX_CONCURRENT_JOBS", "Zuora Data Query jobs running at once (default 4)",
             "zuora", "max_concurrent_jobs", _whole_number),
    Variable("LNR_SALESFORCE_INSTANCE_URL", "Salesforce instance host, e.g. gitlab.my.salesforce.com",
             "salesforce", "instance_url", source=True),
    Variable("LNR_SALESFORCE_SESSION_ID", "a Salesforce session id (secret; or use the consumer key and secret)",
             "salesforce", "session_id", secret=True),
    Variable("LNR_SALESFORCE_CONSUMER_KEY", "Salesforce connected-app consumer key (OAuth client credentials)",
             "salesforce", "consumer_key", secret=True),
    Variable("LNR_SALESFORCE_CONSUMER_SECRET", "Salesforce connected-app consumer secret (secret)",
             "salesforce", "consumer_secret", secret=True),
    Variable("LNR_SALESFORCE_DOMAIN", "Salesforce My Domain for the token endpoint, e.g. gitlab.my",
             "salesforce", "domain"),
    Variable("LNR_SALESFORCE_CA_BUNDLE", "a CA bundle to verify Salesforce with (default: the system's)",
             "salesforce", "ca_bundle"),
    Variable("LNR_SALESFORCE_API_VERSION",
             f"Salesforce API version for REST and Bulk API 2.0 (default {SALESFORCE_API_VERSION})",
             "salesforce", "api_version"),
    Variable("LNR_SALESFORCE_BULK_THRESHOLD",
             f"records above which a read uses Bulk API 2.0 (default {SALESFORCE_BULK_THRESHOLD})",
             "salesforce", "bulk_threshold", _whole_number),
    Variable("LNR_CUSTOMERSDOT_DATABASE_URL",
             "CustomersDot's PostgreSQL (a read replica) as postgresql://user@host:port/"
             "dbname?sslmode=require, a read-only role", "customersdot", "database_url", source=True),
    Variable("LNR_CUSTOMERSDOT_PASSWORD", "that role's password (secret; or PGPASSFILE / ~/.pgpass)",
             "customersdot", "password", secret=True),
    Variable("LNR_REPORTS_DIR",
             "the folder under which reports/<as_of>/ is written (default: the DuckDB file's folder)",
             "reports", "directory"),
    Variable("LNR_REPORTS_COPY_TO", "a folder the reports are copied to after each run", "reports", "copy_to"),
    Variable("LNR_SMTP_HOST", "SMTP server for the report e-mail (unset: no e-mail)", "reports", "smtp_host"),
    Variable("LNR_SMTP_PORT", "SMTP port (default 587)", "reports", "smtp_port", _whole_number),
    Variable("LNR_SMTP_STARTTLS", "true/false: STARTTLS before login (default true)", "reports", "smtp_starttls",
             _flag),
    Variable("LNR_SMTP_USERNAME", "SMTP login", "reports", "smtp_username"),
    Variable("LNR_SMTP_PASSWORD", "SMTP password (secret)", "reports", "smtp_password", secret=True),
    Variable("LNR_SMTP_SENDER", "From: address of the report e-mail", "reports", "smtp_sender"),
    Variable("LNR_SMTP_RECIPIENTS", "report recipients, comma-separated", "reports", "smtp_recipients", _split),
    Variable("LNR_DIGEST_WEBHOOK_URL",
             "Slack-compatible incoming webhook for the morning digest (secret; unset: none)",
             "reports", "digest_webhook_url", secret=True),
    Variable("LNR_DIGEST_ALWAYS", "true: send the digest even on a night with nothing new (default false)",
             "reports", "digest_always", _true),
    Variable("LNR_TREND_NIGHTS", "nights the trend report covers (default 28)", "reports", "trend_nights",
             _whole_number),
    Variable("LNR_TREND_WEEKDAY", "weekday on which the trend CSV and chart are mailed (default monday)",
             "reports", "trend_weekday", _weekday),
    Variable("LNR_SCHEDULE_CRON", f"cron of the nightly audit (default {DEFAULT_CRON})", default=DEFAULT_CRON),
    Variable("LNR_SCHEDULE_TIMEZONE", f"time zone of the schedule (default {DEFAULT_TIMEZONE})",
             default=DEFAULT_TIMEZONE),
    Variable("LNR_SCHEDULE_STATUS", "running or stopped: the schedule's state when first loaded (default running)",
             read=_schedule_status, default="running"),
    Variable("LNR_LINK_ZUORA_URL", f"Zuora web UI the findings link to (default {LinkBases.zuora})",
             "reports", "link_zuora_url"),
    Variable("LNR_LINK_SALESFORCE_URL",
             f"Salesforce Lightning host the findings link to (default {LinkBases.salesforce})",
             "reports", "link_salesforce_url"),
    Variable("LNR_LINK_CUSTOMERSDOT_URL",
             f"CustomersDot host whose admin pages the findings link to (default {LinkBases.customersdot})",
             "reports", "link_customersdot_url"),
    Variable("LNR_LINK_GITLAB_URL",
             f"GitLab.com host of the groups' billing pages the findings link to (default {LinkBases.gitlab})",
             "reports", "link_gitlab_url"),
    Variable("DAGSTER_HOME", f"the Dagster instance of `lnr-audit run` (default {DEFAULT_DAGSTER_HOME})",
             default=DEFAULT_DAGSTER_HOME),
)
BY_NAME = {variable.name: variable for variable in VARIABLES}

# variable → what it sets, as the README documents it.
ENVIRONMENT: dict[str, str] = {variable.name: variable.help for variable in VARIABLES}
SOURCE_VARIABLES = tuple(variable.name for variable in VARIABLES if variable.source)


class MissingConfiguration(LookupError):
    """The environment does not configure the sources an audit reads."""


def environment() -> Mapping[str, str]:
    """The process environment (the one place lnr-audit reads it)."""
    return os.environ


def setting(name: str, env: Mapping[str, str] | None = None) -> Any:
    """The value of variable `name` read from `env` (default: the process environment), else its default."""
    variable = BY_NAME[name]
    value = (environment() if env is None else env).get(name)
    return _read(variable, value) if value else variable.default


def _read(variable: Variable, value: str) -> Any:
    """`value` read as `variable` says; a ValueError naming the variable and what it must be otherwise."""
    try:
        return variable.read(value)
    except ValueError as exc:
        raise ValueError(f"{variable.name} must be {exc}, not {value!r}") from None


def current_user() -> str | None:
    """The login name of whoever runs the command line, for acknowledgements."""
    return environment().get("USER")


def missing_sources(env: Mapping[str, str] | None = None) -> list[str]:
    """The variables a source needs that `env` (default: the process environment) leaves unset."""
    env = environment() if env is None else env
    return [name for name in SOURCE_VARIABLES if not env.get(name)]


def require_sources(env: Mapping[str, str] | None = None) -> None:
    """Nothing when every source is configured; MissingConfiguration naming the unset variables otherwise."""
    missing = missing_sources(env)
    if missing:
        raise MissingConfiguration(
            f"no source configured: set {', '.join(missing)} (see README, Running it in production), "
            "or audit the synthetic sandbox with `lnr-audit run --sandbox`"
        )


def _value(variable: Variable, env: Mapping[str, str]) -> Any:
    """What `variable` sets: a secret from the process environment by reference (never copied into config)."""
    import dagster as dg

    value = env.get(variable.name)
    if not value:
        return dg.EnvVar(variable.name) if variable.source else variable.default
    if variable.secret and environment().get(variable.name) == value:
        return dg.EnvVar(variable.name)
    return _read(variable, value)


def resources_from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every resource of lnr-audit configured from LNR_* variables (default: the process environment).

    Production, the sandbox and the tests all build their resources here, from a mapping of variables. A source
    variable left unset is read when a run needs it, and fails that run with Dagster's message naming it.
    """
    from pipelines.resources import RESOURCE_TYPES

    env = environment() if env is None else env
    fields: dict[str, dict[str, Any]] = defaultdict(dict)
    for variable in VARIABLES:
        if variable.resource is not None:
            value = _value(variable, env)
            if value is not None:
                fields[variable.resource][variable.field] = value
    fields["reports"].setdefault("directory", str(Path(fields["duckdb"]["database"]).parent))
    return {name: resource_type(**fields[name]) for name, resource_type in RESOURCE_TYPES.items()}


def database_path(explicit: str | None = None) -> Path:
    """The DuckDB file: the given path, else LNR_DUCKDB_PATH, else ./lnr_audit.duckdb, else the demo's when only
    it exists (so that the commands work right after `make demo`)."""
    if explicit:
        return Path(explicit)
    configured = setting("LNR_DUCKDB_PATH")
    chosen, demo = Path(configured), Path(DEMO_DATABASE)
    return demo if configured == DEFAULT_DATABASE and not chosen.exists() and demo.exists() else chosen


def link_bases(env: Mapping[str, str] | None = None) -> LinkBases:
    """Where the findings' links point: the LNR_LINK_* variables of `env` (default: the process environment)."""
    return LinkBases.from_variables(environment() if env is None else env)


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


@contextmanager
def dagster_home_named(home: Path) -> Iterator[None]:
    """DAGSTER_HOME naming `home` while its instance is built, as in the processes Dagster starts on it (the
    settings name their folders by it)."""
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home.resolve())
    try:
        yield
    finally:
        if before is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = before
