"""The Dagster instance's settings: the operator's dagster.yaml is kept, the project's apply only where none exists."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.jobs import AUDIT_RUN_TAG, NIGHTLY_JOB_NAME
from pipelines.nightly import dagster_instance
from pipelines.resources import AuditDatabase

pytestmark = pytest.mark.slow  # Dagster runs on instances of their own

REPO = Path(__file__).resolve().parents[2]

OPERATOR_SETTINGS = b"""# ours: do not touch
telemetry:
  enabled: true
concurrency:
  pools:
    default_limit: 3
run_monitoring:
  enabled: true
"""


@dg.asset(required_resource_keys={"duckdb"})
def tiny_night(context):
    """A run that writes the database."""
    with context.resources.duckdb.get_connection() as con:
        con.execute("CREATE TABLE IF NOT EXISTS nights AS SELECT 1 AS night")


def test_an_operators_dagster_yaml_survives_a_run_byte_for_byte(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_bytes(OPERATOR_SETTINGS)

    instance = dagster_instance(home, limit_pools=True)
    result = dg.materialize(
        [tiny_night], instance=instance, resources={"duckdb": AuditDatabase(database=str(tmp_path / "db.duckdb"))}
    )

    assert result.success
    assert (home / "dagster.yaml").read_bytes() == OPERATOR_SETTINGS
    assert dagster_instance(home).get_concurrency_config().pool_config.default_pool_limit == 3
    assert sorted(path.name for path in home.iterdir() if path.name.startswith(".")) == []


def test_without_a_dagster_yaml_the_project_writes_its_defaults_once(tmp_path):
    home = tmp_path / "home"
    instance = dagster_instance(home)
    written = (home / "dagster.yaml").read_bytes()
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert limits == [{"key": AUDIT_RUN_TAG, "limit": 1}]
    assert instance.get_concurrency_config().pool_config.default_pool_limit is None

    dagster_instance(home, limit_pools=True)

    assert (home / "dagster.yaml").read_bytes() == written, "a file once written is the operator's"


def test_the_nightly_jobs_runs_carry_the_queue_tag_and_every_run_holds_one_process():
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    assert job.run_tags == {AUDIT_RUN_TAG: "nightly"}
    assert job.executor_def.name == dg.in_process_executor.name
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == dg.in_process_executor.name


def test_the_readmes_production_dagster_yaml_is_a_valid_instance_that_queues_audits(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [settings] = re.findall(r"```yaml\n(# \$DAGSTER_HOME/dagster.yaml\n.*?)```", readme, flags=re.DOTALL)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(settings, encoding="utf-8")

    config = dagster_instance(home).get_concurrency_config()

    assert {"key": AUDIT_RUN_TAG, "limit": 1} in config.run_queue_config.tag_concurrency_limits
    assert config.pool_config.default_pool_limit == 1
    assert "postgres:" in settings, "the README shows PostgreSQL storage for a long-lived instance"
