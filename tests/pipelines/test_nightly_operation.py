"""Nightly operation: the Definitions, schedule, pool, e-mail delivery up and down, the failure sensor."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import shutil
from pathlib import Path

import dagster as dg
import pytest

from asset_keys import DUCKDB_POOL
from assets.fulfillment import fulfillment_reports
from assets.overview import unresolved_findings
from assets.trend_report import finding_trend_report
from pipelines.catalogue_doc import render_catalogue
from pipelines.definitions import defs
from pipelines.jobs import NIGHTLY_JOB_NAME
from pipelines.nightly import dagster_instance, run_nightly, step_failures
from pipelines.resources import ReportsResource
from pipelines.schedules import nightly_schedule
from pipelines.sensors import nightly_audit_failure
from pipelines.settings import resources_from_environment, sandbox_environment
from sandbox.servers import SandboxServers
from sandbox.world import read_manifest
from tests.webhook_receiver import serve_webhook
from tests.world_sources import world_resources

REPO = Path(__file__).resolve().parents[2]


def test_the_definitions_load_and_every_asset_says_what_it_is():
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and "\n" not in node.description.strip(), key
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"raw_zuora", "raw_salesforce", "raw_customersdot", "staging", "audit", "reports"} <= groups


def test_every_step_that_opens_duckdb_shares_one_pool():
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    users = [node for node in job.graph.node_defs if "duckdb" in node.required_resource_keys]
    assert len(users) > 20 and {node.pool for node in users} == {DUCKDB_POOL}


@pytest.mark.slow
def test_the_instance_limits_the_duckdb_pool_to_one(tmp_path):
    instance = dagster_instance(tmp_path / "home", limit_pools=True)
    assert instance.get_concurrency_config().pool_config.default_pool_limit == 1


def test_the_schedule_runs_nightly_at_a_configurable_time_and_zone():
    default = nightly_schedule()
    assert (default.cron_schedule, default.execution_timezone) == ("0 3 * * *", "UTC")
    assert default.job_name == NIGHTLY_JOB_NAME
    custom = nightly_schedule("30 1 * * 1-5", "Europe/Amsterdam")
    assert (custom.cron_schedule, custom.execution_timezone) == ("30 1 * * 1-5", "Europe/Amsterdam")


def test_the_rule_reference_page_is_generated_from_the_catalogue():
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == render_catalogue()


def reports_of_last_night(
    audited_nights, out: Path, reports: ReportsResource, assets=(fulfillment_reports,)
) -> dg.ExecuteInProcessResult:
    """The reports step (or `assets`) of the last shared night run again by Dagster on a copy of its database,
    through `reports`."""
    database = out / "db.duckdb"
    shutil.copyfile(audited_nights.database, database)
    wal = audited_nights.database.with_name(audited_nights.database.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, database.with_name(database.name + ".wal"))
    as_of = read_manifest(audited_nights.worlds[-1]).as_of
    resources = resources_from_environment({"LNR_DUCKDB_PATH": str(database), "LNR_AS_OF": as_of})
    resources["reports"] = reports
    return dg.materialize(
        list(assets), resources=resources, instance=dagster_instance(out / "home"), raise_on_error=False
    )


def smtp_reports(out: Path, port: int, **settings) -> ReportsResource:
    return ReportsResource(
        **settings,
        directory=str(out),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_sender="lnr-audit@example.com",
        smtp_recipients=["fulfillment@example.com", "lnr@example.com"],
    )


def test_a_night_mails_its_reports_with_the_digest_and_posts_it_to_the_webhook(
    audited_nights, tmp_path, smtp_server, monkeypatch
):
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):  # the receiver is on loopback
        monkeypatch.delenv(proxy, raising=False)
    as_of = dt.date.fromisoformat(read_manifest(audited_nights.worlds[-1]).as_of)
    with serve_webhook() as receiver:
        weekly = {"trend_weekday": as_of.strftime("%A"), "trend_nights": 7}
        reports = smtp_reports(
            tmp_path, smtp_server.port, digest_webhook_url=receiver.url, digest_always=True, **weekly
        )
        night = reports_of_last_night(
            audited_nights, tmp_path, reports, (fulfillment_reports, finding_trend_report, unresolved_findings)
        )
    assert night.success, step_failures(night)
    [received, trend] = smtp_server.inbox.messages
    assert received["rcpt_tos"] == ["fulfillment@example.com", "lnr@example.com"]
    message = email.message_from_bytes(received["content"], policy=email.policy.default)
    attachments = {part.get_filename() for part in message.walk() if part.get_filename()}
    assert attachments == {"findings_open.csv", "findings_new.csv", "findings_resolved.csv", "summary.csv"}
    assert message["Subject"].startswith(f"lnr-audit {as_of}: ") and " critical and " in message["Subject"]
    [post] = receiver.posts
    assert post["json"]["text"] == message["Subject"]
    trend_message = email.message_from_bytes(trend["content"])
    assert {part.get_filename() for part in trend_message.walk() if part.get_filename()} == {"trend.csv", "trend.png"}
    run = dagster_instance(tmp_path / "home").get_run_by_id(night.run_id)
    assert run.tags["lnr/as_of"] == str(as_of) and int(run.tags["lnr/critical_findings"]) >= 0


def test_a_night_with_the_mail_server_down_fails_keeps_the_reports_and_the_sensor_mails_it(
    audited_nights, tmp_path, smtp_server, closed_port
):
    night = reports_of_last_night(audited_nights, tmp_path, smtp_reports(tmp_path, closed_port))
    assert not night.success
    error = "; ".join(step_failures(night))
    assert "report delivery failed" in error and f"127.0.0.1:{closed_port}" in error
    folder = tmp_path / "reports" / read_manifest(audited_nights.worlds[-1]).as_of
    assert sorted(p.name for p in folder.iterdir()) == [
        "findings_new.csv",
        "findings_open.csv",
        "findings_resolved.csv",
        "summary.csv",
    ]
    instance = dagster_instance(tmp_path / "home")
    failure = next(
        entry.dagster_event
        for entry in instance.all_logs(night.run_id)
        if entry.dagster_event and entry.dagster_event.is_run_failure
    )
    context = dg.build_run_status_sensor_context(
        sensor_name="nightly_audit_failure",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(night.run_id),
        resources={"reports": smtp_reports(tmp_path, smtp_server.port)},
    ).for_run_failure()
    nightly_audit_failure(context)
    [received] = smtp_server.inbox.messages
    message = email.message_from_bytes(received["content"])
    assert "nightly audit failed" in message["Subject"] and night.run_id in message.get_payload()


@pytest.mark.parametrize("variable", ["LNR_ZUORA_CLIENT_SECRET", "LNR_CUSTOMERSDOT_PASSWORD", "LNR_SMTP_PASSWORD"])
def test_secrets_are_documented_and_read_from_the_environment(variable):
    from pipelines.settings import ENVIRONMENT

    assert "secret" in ENVIRONMENT[variable]
    assert variable in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_lnr_audit_run_reads_its_sources_from_the_environment(small_world, tmp_path):
    import os
    import subprocess
    import sys

    database = tmp_path / "prod.duckdb"
    with SandboxServers(small_world) as servers:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(tmp_path / "home"),
            **sandbox_environment(servers.endpoints, str(database), read_manifest(small_world).as_of, str(tmp_path)),
        }
        done = subprocess.run(
            [str(Path(sys.executable).parent / "lnr-audit"), "run"], env=env, capture_output=True, text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "succeeded" in done.stdout
    assert env["LNR_ZUORA_CLIENT_SECRET"] not in done.stdout + done.stderr
    password = env["LNR_CUSTOMERSDOT_PASSWORD"].encode()
    assert password.decode() not in done.stdout + done.stderr
    leaks = [path for path in tmp_path.rglob("*") if path.is_file() and password in path.read_bytes()]
    assert leaks == []  # Dagster's storage and logs, the DuckDB file, the reports
    assert (tmp_path / "reports" / read_manifest(small_world).as_of / "summary.csv").exists()


@pytest.mark.slow
def test_world_values_that_look_like_formulas_reach_the_reports_neutralised(small_world, tmp_path):
    import csv
    import json

    world = tmp_path / "world"
    shutil.copytree(small_world, world)
    orders = world / "customersdot" / "orders.jsonl"
    records = [json.loads(line) for line in orders.read_text(encoding="utf-8").splitlines()]
    formula = '=HYPERLINK("http://attacker.example","Renew now")'
    as_of = read_manifest(world).as_of

    def in_effect(order: dict) -> bool:
        return order.get("start_date", "9999") <= as_of < (order.get("end_date") or "9999")

    active = next(
        r for r in records
        if not r.get("trial") and "plan-id" not in (r.get("product_rate_plan_id") or "") and in_effect(r)
    )
    active.update(subscription_name=formula, gl_namespace_id="-42")
    orders.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    night = run_nightly(world_resources(world, tmp_path), dagster_instance(tmp_path / "home"))
    assert night.success, night.error
    report = tmp_path / "reports" / read_manifest(world).as_of / "findings_open.csv"
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    mine = [row for row in rows if row["subject_id"] == str(active["id"])]
    assert mine and mine[0]["subscription_name"] == "'" + formula and mine[0]["namespace_id"] == "'-42"
