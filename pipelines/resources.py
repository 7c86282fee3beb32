"""Dagster resources: one per source system, the DuckDB file, and the audit settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from assets.extraction import DEFAULT_POLICY, ExtractionPolicy
from assets.raw_store import DEFAULT_MEMORY_LIMIT
from assets.reports.mail import SmtpSettings
from assets.reports.webhook import WebhookSettings
from assets.trend.compute import DEFAULT_NIGHTS
from checks.engine import AuditSettings
from checks.record_links import LINK_VARIABLES, LinkBases
from checks.sessions import session_cursor
from connectors.connection import Connection
from connectors.customersdot import CustomersDotClient
from connectors.data_query import DataQuerySettings
from connectors.salesforce import API_VERSION, BULK_THRESHOLD, SalesforceClient
from connectors.zuora import ZuoraClient
from pipelines.abandoned_runs import fail_abandoned_runs, process_tags
from pipelines.database import open_database
from pipelines.run_lock import held_run_lock


class _ClientResource(dg.ConfigurableResource):
    """A source whose client is opened once per run and closed after it, with its connection options."""

    timeout: float = 30.0
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    ca_bundle: str | None = None
    _client: Any = PrivateAttr(default=None)

    def connection(self) -> Connection:
        """The client's connection options."""
        return Connection(
            timeout=self.timeout,
            max_attempts=self.max_attempts,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
            ca_bundle=self.ca_bundle,
        )

    def _open(self) -> Any:
        raise NotImplementedError

    def client(self) -> Any:
        """The run's client, opened on first use."""
        if self._client is None:
            self._client = self._open()
        return self._client

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Close the run's client."""
        if self._client is not None:
            self._client.close()
            self._client = None


class ZuoraResource(_ClientResource):
    """Zuora REST: base URL of the data center, OAuth client credentials, and when to use Data Query."""

    base_url: str
    client_id: str
    client_secret: str
    bulk_threshold: int = DataQuerySettings.bulk_threshold
    max_concurrent_jobs: int = DataQuerySettings.max_concurrent_jobs
    window_records: int = DataQuerySettings.window_records
    poll_initial: float = DataQuerySettings.poll_initial

    def _open(self) -> ZuoraClient:
        return ZuoraClient(
            self.base_url,
            self.client_id,
            self.client_secret,
            connection=self.connection(),
            data_query=DataQuerySettings(
                bulk_threshold=self.bulk_threshold,
                max_concurrent_jobs=self.max_concurrent_jobs,
                window_records=self.window_records,
                poll_initial=self.poll_initial,
            ),
        )


class SalesforceResource(_ClientResource):
    """Salesforce REST and Bulk API 2.0: instance, a session id or OAuth client credentials, API version."""

    instance_url: str
    session_id: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    domain: str | None = None
    api_version: str = API_VERSION
    bulk_threshold: int = BULK_THRESHOLD

    def _open(self) -> SalesforceClient:
        return SalesforceClient(
            self.instance_url,
            session_id=self.session_id,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            domain=self.domain,
            api_version=self.api_version,
            bulk_threshold=self.bulk_threshold,
            connection=self.connection(),
        )


class CustomersDotResource(_ClientResource):
    """CustomersDot's PostgreSQL database: a postgresql:// URL of a read-only role, and its password."""

    database_url: str
    password: str | None = None
    statement_timeout: float = 300.0

    def _open(self) -> CustomersDotClient:
        return CustomersDotClient(
            self.database_url,
            password=self.password,
            statement_timeout=self.statement_timeout,
            connection=self.connection(),
        )


class AuditSettingsResource(dg.ConfigurableResource):
    """The audit date (empty: today, UTC), the accounts excluded from the audit, and the extraction's guards."""

    as_of: str | None = None
    excluded_zuora_accounts: list[str] = []
    full_reload_days: int = DEFAULT_POLICY.full_reload_every.days
    max_row_drop_percent: float = DEFAULT_POLICY.max_row_drop * 100

    def extraction_policy(self) -> ExtractionPolicy:
        """How often costly-to-list objects are reloaded in full, and how far a load may shrink an object."""
        return ExtractionPolicy(dt.timedelta(days=self.full_reload_days), self.max_row_drop_percent / 100)

    def audit_date(self) -> dt.date:
        """The audit date D."""
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.datetime.now(dt.UTC).date()

    def engine_settings(self) -> AuditSettings:
        """The audit engine's settings for this run."""
        return AuditSettings(as_of=self.audit_date(), excluded_zuora_accounts=tuple(self.excluded_zuora_accounts))


class ReportsResource(dg.ConfigurableResource):
    """Where the Fulfillment reports go (a folder, an optional copy, an optional e-mail), the morning digest's
    webhook, and the trend's window and weekday."""

    directory: str = "reports"
    copy_to: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str | None = None
    smtp_recipients: list[str] = []
    link_zuora_url: str | None = None
    link_salesforce_url: str | None = None
    link_customersdot_url: str | None = None
    link_gitlab_url: str | None = None
    digest_webhook_url: str | None = None
    digest_always: bool = False
    trend_nights: int = DEFAULT_NIGHTS
    trend_weekday: str = "monday"

    def link_bases(self) -> LinkBases:
        """Where the findings' links point: the configured hosts, the real ones for those unset."""
        urls = {system: getattr(self, f"link_{system}_url") for system in LINK_VARIABLES}
        return LinkBases(**{system: url for system, url in urls.items() if url})

    def webhook_settings(self) -> WebhookSettings | None:
        """The digest's incoming webhook, or None when none is configured."""
        return WebhookSettings(self.digest_webhook_url) if self.digest_webhook_url else None

    def weekly(self, as_of: dt.date) -> bool:
        """Whether night `as_of` falls on the trend's weekday, when the trend is mailed."""
        return as_of.strftime("%A").lower() == self.trend_weekday.strip().lower()

    def smtp_settings(self) -> SmtpSettings | None:
        """The SMTP settings, or None when no e-mail is configured."""
        if not (self.smtp_host and self.smtp_recipients):
            return None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=self.smtp_sender or f"lnr-audit@{self.smtp_host}",
            recipients=tuple(self.smtp_recipients),
            username=self.smtp_username,
            password=self.smtp_password,
            starttls=self.smtp_starttls,
        )


class AuditDatabase(DuckDBResource):
    """The audit's DuckDB file, held by one run at a time (its run lock); every connection works in UTC.

    A run opens the file once: each step works on a session of its own on that one connection, which the run
    closes at its end (opening the file and checkpointing it at every step cost a night about a second). A step
    that fails closes it, so the next step opens the file afresh.
    """

    lock_wait_seconds: float = 120.0
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    _run_lock: Any = PrivateAttr(default=None)
    _run_connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Hold the database's run lock for the run; mark failed the runs whose process died before finishing."""
        if context.run is None:
            return
        run_id = context.run.run_id
        self._run_lock = ExitStack()
        previous = self._run_lock.enter_context(held_run_lock(Path(self.database), run_id))
        if previous is not None and context.log is not None:
            context.log.warning(f"took over the run lock of {previous.describe()}: its process is gone")
        if context.instance is not None:
            context.instance.add_run_tags(run_id, process_tags())
            for abandoned in fail_abandoned_runs(context.instance):
                if context.log is not None:
                    context.log.warning(f"run {abandoned} was left started by a process that is gone: marked failed")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Close the run's connection, then release the run lock."""
        self._close_run_connection()
        if self._run_lock is not None:
            self._run_lock.close()
            self._run_lock = None

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the file, in UTC, waiting while another process writes it; closed even on error. In a run,
        a session of the run's connection, which a step's error closes too."""
        if self._run_lock is None:
            with closing(self._open()) as con:
                yield con
            return
        if self._run_connection is None:
            self._run_connection = self._open()
        try:
            with closing(session_cursor(self._run_connection)) as session:
                yield session
        except BaseException:
            self._close_run_connection()
            raise

    def _open(self) -> duckdb.DuckDBPyConnection:
        """A new connection to the file, waiting while another process writes it."""
        return open_database(
            Path(self.database), read_only=False, wait_seconds=self.lock_wait_seconds, memory_limit=self.memory_limit
        )

    def _close_run_connection(self) -> None:
        """Close the run's connection, if open."""
        if self._run_connection is not None:
            self._run_connection.close()
            self._run_connection = None


# resource key → its type, as `pipelines.settings.resources_from_environment` builds them.
RESOURCE_TYPES: dict[str, type[dg.ConfigurableResource]] = {
    "duckdb": AuditDatabase,
    "audit_settings": AuditSettingsResource,
    "zuora": ZuoraResource,
    "salesforce": SalesforceResource,
    "customersdot": CustomersDotResource,
    "reports": ReportsResource,
}
