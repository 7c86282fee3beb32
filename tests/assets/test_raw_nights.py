"""One night's raw layer: each load records its night, and the audit refuses raw tables of different nights; the
audit keeps what did not change since the last run unless the run asks for a full audit."""

from __future__ import annotations

import datetime as dt
import logging

import dagster as dg
import pytest

from asset_keys import FINDINGS_KEY, staging_asset_key
from assets.audit import audit_results, staging_views
from assets.raw_nights import MixedNights, describe_mix, require_one_night
from assets.raw_store import RawNight, SnapshotLoad, connect, object_label, raw_nights
from checks.catalogue import RULES
from checks.engine import STAGING_VIEWS
from connectors.schema import SOURCE_OBJECTS, source_object
from pipelines.resources import AuditDatabase, AuditSettingsResource

pytestmark = pytest.mark.slow  # Dagster runs of the raw assets over several nights

ORDERS = source_object("customersdot", "orders")
MONDAY, TUESDAY = RawNight(dt.date(2026, 11, 27), "run-monday"), RawNight(dt.date(2026, 11, 28), "run-tuesday")
LOADED_AT = dt.datetime(2026, 11, 28, 3, tzinfo=dt.UTC)


def load_every_object(database, night: RawNight, behind: dict[str, RawNight] | None = None) -> None:
    """Swap in an (empty) snapshot of every object, recording `night`, or the night given in `behind`."""
    with connect(str(database)) as con:
        for obj in SOURCE_OBJECTS:
            SnapshotLoad(con, obj, (behind or {}).get(object_label(obj), night)).commit_full(LOADED_AT)


def test_a_load_records_its_night_and_a_failed_load_keeps_the_previous_one(tmp_path):
    with connect(str(tmp_path / "raw.duckdb")) as con:
        assert set(raw_nights(con).values()) == {None}
        first = SnapshotLoad(con, ORDERS, MONDAY)
        first.add([{"id": 1, "updated_at": "2026-11-26T10:00:00Z"}])
        first.commit_full(LOADED_AT)
        failed = SnapshotLoad(con, ORDERS, TUESDAY)
        failed.add([{"id": 2, "updated_at": "2026-11-27T10:00:00Z"}])
        failed.discard()
        nights = raw_nights(con)
    assert nights["customersdot/orders"] == MONDAY
    assert len(nights) == len(SOURCE_OBJECTS)
    assert [label for label, night in nights.items() if night is not None] == ["customersdot/orders"]


def test_one_night_passes_and_a_mix_names_the_objects_behind():
    one = {object_label(obj): TUESDAY for obj in SOURCE_OBJECTS}
    assert describe_mix(one) is None and require_one_night(one, allow_mixed=False) is None
    mixed = {**one, "zuora/Account": MONDAY}
    assert describe_mix(mixed) == f"2026-11-28: {len(SOURCE_OBJECTS) - 1} objects; 2026-11-27: zuora/Account"
    with pytest.raises(MixedNights, match="2026-11-27: zuora/Account") as refused:
        require_one_night(mixed, allow_mixed=False)
    assert "--allow-mixed-nights" in str(refused.value)
    assert require_one_night(mixed, allow_mixed=True) == describe_mix(mixed)
    assert "unknown: zuora/Account" in describe_mix({**one, "zuora/Account": None})


def audit(database, instance=None, **options) -> dg.ExecuteInProcessResult:
    """Materialize staging and the audit (no extraction) on `database`, with the run `options` of the audit steps."""
    config = {"config": options}
    return dg.materialize(
        [staging_views, audit_results],
        resources={
            "duckdb": AuditDatabase(database=str(database)),
            "audit_settings": AuditSettingsResource(as_of=str(TUESDAY.as_of)),
        },
        run_config={"ops": {"staging_views": config, "audit_results": config}},
        instance=instance,
        raise_on_error=False,
    )


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    return [str(event.event_specific_data.error) for event in result.all_events if event.is_step_failure]


def test_the_audit_refuses_raw_tables_of_different_nights(tmp_path):
    database = tmp_path / "lnr.duckdb"
    load_every_object(database, TUESDAY, behind={"zuora/Account": MONDAY, "salesforce/Account": MONDAY})

    refused = audit(database)

    assert not refused.success
    [message] = failure_messages(refused)
    assert "the raw tables hold different nights" in message
    assert "2026-11-27: salesforce/Account, zuora/Account" in message
    with connect(str(database), read_only=True) as con:
        schemas = {row[0] for row in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    assert "audit" not in schemas, "no finding was recorded"


def test_the_audit_of_one_night_records_which_night_each_object_holds(tmp_path):
    database = tmp_path / "lnr.duckdb"
    load_every_object(database, TUESDAY)

    result = audit(database)

    assert result.success, failure_messages(result)
    [findings] = [e.materialization for e in result.get_asset_materialization_events() if e.asset_key == FINDINGS_KEY]
    table = findings.metadata["raw_nights"].value
    assert findings.metadata["mixed_nights"].value is False
    for obj in SOURCE_OBJECTS:
        assert f"| {object_label(obj)} | 2026-11-28 | run-tuesday |" in table


def test_a_mix_is_audited_when_the_run_allows_it_and_the_metadata_says_so(tmp_path):
    database = tmp_path / "lnr.duckdb"
    load_every_object(database, TUESDAY, behind={"zuora/Account": MONDAY})

    instance = dg.DagsterInstance.ephemeral()
    result = audit(database, instance, allow_mixed_nights=True)

    assert result.success, failure_messages(result)
    [findings] = [e.materialization for e in result.get_asset_materialization_events() if e.asset_key == FINDINGS_KEY]
    assert findings.metadata["mixed_nights"].value is True
    assert "| zuora/Account | 2026-11-27 | run-monday |" in findings.metadata["raw_nights"].value
    warnings = [entry.user_message for entry in instance.all_logs(result.run_id) if entry.level == logging.WARNING]
    assert any("auditing raw tables of different nights, as this run allows" in message for message in warnings)


def test_an_object_whose_load_was_held_back_keeps_its_night_without_making_a_mix(tmp_path):
    database = tmp_path / "lnr.duckdb"
    load_every_object(database, TUESDAY, behind={"zuora/Account": MONDAY})
    with connect(str(database)) as con:
        SnapshotLoad(con, source_object("zuora", "Account"), TUESDAY).hold(LOADED_AT, 0, "emptied at the source")
        assert raw_nights(con)["zuora/Account"] == MONDAY, "a held load leaves the previous night"

    result = audit(database)

    assert result.success, failure_messages(result)
    [findings] = [e.materialization for e in result.get_asset_materialization_events() if e.asset_key == FINDINGS_KEY]
    assert findings.metadata["mixed_nights"].value is False
    assert "| zuora/Account | 2026-11-27 | run-monday | held |" in findings.metadata["raw_nights"].value


def test_a_run_again_keeps_what_did_not_change_and_a_full_audit_does_everything_again(tmp_path):
    database = tmp_path / "lnr.duckdb"
    load_every_object(database, TUESDAY)

    runs = [audit(database), audit(database), audit(database, full_audit=True)]

    assert all(run.success for run in runs), [failure_messages(run) for run in runs]
    events = [run.get_asset_materialization_events() for run in runs]
    metadata = [{e.asset_key: e.materialization.metadata for e in run_events} for run_events in events]
    evaluated = [m[FINDINGS_KEY]["rules_evaluated"].value for m in metadata]
    assert evaluated == [len(RULES), 0, len(RULES)]
    assert metadata[1][FINDINGS_KEY]["rules_reused"].value.split(", ") == [rule.id for rule in RULES]
    rebuilt = [{key for key, values in m.items() if "rebuilt" in values and values["rebuilt"].value} for m in metadata]
    staging = {staging_asset_key(view.name) for view in STAGING_VIEWS}
    by_row_id = {staging_asset_key(view.name) for view in STAGING_VIEWS if view.is_view or view.reads_row_ids}
    assert rebuilt == [staging, by_row_id, staging]
