"""Generated records match the declared source objects: names, types, allowed values, formats, `as_of`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from connectors.schema import SOURCE_OBJECTS, FieldType, SourceObject, coerce_record, parse_datetime
from sandbox.world import count_records, read_manifest, read_records

pytestmark = pytest.mark.slow  # reads the generated 3,000-customer world

DATETIME_FORMATS = {
    "zuora": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000-08:00$"),
    "salesforce": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$"),
    "customersdot": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$"),
}
WATERMARKS = {"UpdatedDate", "SystemModstamp", "updated_at", "CreatedDate", "created_at", "report_timestamp"}

OBJECTS = pytest.mark.parametrize("obj", SOURCE_OBJECTS, ids=lambda o: f"{o.system}/{o.name}")


@OBJECTS
def test_every_declared_field_is_used_and_no_other(defect_world: Path, obj: SourceObject) -> None:
    records = read_records(defect_world, obj)
    assert records, f"{obj.world_path} is empty"
    used = set().union(*(record.keys() for record in records))
    assert set(obj.field_names) - used == set()
    assert used - set(obj.field_names) == set()


@OBJECTS
def test_values_have_declared_types_allowed_values_and_formats(defect_world: Path, obj: SourceObject) -> None:
    end_of_day = dt.datetime.combine(dt.date.fromisoformat(read_manifest(defect_world).as_of), dt.time(23, 59, 59),
                                     dt.UTC)
    for record in read_records(defect_world, obj):
        row = coerce_record(obj, record)
        for field in obj.fields:
            value = record.get(field.name)
            if value is None:
                continue
            if field.allowed:
                assert value in field.allowed, (obj.name, field.name, value)
            if field.non_negative:
                assert row[field.name] >= 0, (obj.name, field.name, value)
            if field.type is FieldType.DATE:
                assert re.fullmatch(r"\d{4}-\d\d-\d\d", value), (obj.name, field.name, value)
            if field.type is FieldType.DATETIME:
                assert DATETIME_FORMATS[obj.system].match(value), (obj.name, field.name, value)
                if field.name in WATERMARKS:
                    assert parse_datetime(value) <= end_of_day, (obj.name, field.name, value)
            if field.type is FieldType.BOOLEAN:
                assert isinstance(value, bool), (obj.name, field.name, value)
            if field.type is FieldType.MONEY:
                assert isinstance(value, (int, float)) and round(value, 2) == value, (obj.name, field.name, value)


def test_zuora_custom_flags_are_strings(defect_world: Path) -> None:
    subscription = next(o for o in SOURCE_OBJECTS if o.system == "zuora" and o.name == "Subscription")
    flags = ("TurnOnCloudLicensing__c", "TurnOnSeatReconciliation__c", "TurnOnAutoRenew__c", "ExcludeFromAnalysis__c")
    for record in read_records(defect_world, subscription):
        assert all(isinstance(record[flag], str) for flag in flags)


def test_manifest_counts_every_file(defect_world: Path) -> None:
    manifest = read_manifest(defect_world)
    assert manifest.counts == count_records(defect_world)
    assert manifest.counts["zuora/Subscription"] > 3000
