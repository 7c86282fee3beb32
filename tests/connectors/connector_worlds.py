"""Small synthetic worlds for the connector tests, built from the declared schema, and client factories."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from connectors.connection import Connection
from connectors.customersdot import CustomersDotClient
from connectors.salesforce import SalesforceClient
from connectors.schema import FieldType, SourceObject, coerce_record, source_object
from connectors.zuora import ZuoraClient
from sandbox.world import Manifest, write_manifest, write_records

AS_OF = "2026-11-27"
ZUORA_SUBSCRIPTION = source_object("zuora", "Subscription")
ZUORA_ACCOUNT = source_object("zuora", "Account")
SF_ACCOUNT = source_object("salesforce", "Account")
SF_OPPORTUNITY = source_object("salesforce", "Opportunity")
CD_ORDERS = source_object("customersdot", "orders")
CD_CUSTOMERS = source_object("customersdot", "customers")

SIZES = {
    ZUORA_SUBSCRIPTION: 45,
    ZUORA_ACCOUNT: 7,
    SF_ACCOUNT: 450,
    SF_OPPORTUNITY: 5,
    CD_ORDERS: 45,
    CD_CUSTOMERS: 3,
}
FAST = Connection(max_attempts=6, backoff_base=0.01, backoff_max=0.05)
FIRST_STAMP = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)

_STAMP_FORMAT = {
    "zuora": lambda t: t.astimezone(dt.timezone(dt.timedelta(hours=-8))).isoformat(timespec="milliseconds"),
    "salesforce": lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
    "customersdot": lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
}


def stamp(i: int) -> dt.datetime:
    """The watermark of record `i`: one hour after record `i - 1`."""
    return FIRST_STAMP + dt.timedelta(hours=i)


def make_record(obj: SourceObject, i: int) -> dict[str, Any]:
    """Record `i` of `obj`: every declared field filled by type, optional ones left out on every third."""
    record: dict[str, Any] = {}
    for field in obj.fields:
        if field.name == obj.key:
            record[field.name] = _key(obj, i)
        elif field.name in (obj.watermark, "CreatedDate", "created_at"):
            record[field.name] = _STAMP_FORMAT[obj.system](stamp(i))
        elif i % 3 == 2:
            continue
        elif field.allowed:
            record[field.name] = field.allowed[i % len(field.allowed)]
        else:
            record[field.name] = _value(field.type, field.name, i)
    return record


def _key(obj: SourceObject, i: int) -> Any:
    if obj.system == "zuora":
        return f"{i + 1:032x}"
    if obj.system == "salesforce":
        return f"001{i + 1:015d}"
    return i + 1


def _value(kind: FieldType, name: str, i: int) -> Any:
    if kind is FieldType.INTEGER:
        return i * 7
    if kind is FieldType.MONEY:
        return round(i * 12.35, 2)
    if kind is FieldType.BOOLEAN:
        return i % 2 == 0
    if kind is FieldType.DATE:
        return (dt.date(2026, 1, 1) + dt.timedelta(days=i)).isoformat()
    if kind is FieldType.DATETIME:
        return stamp(i).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return f"{name} #{i} — Zürich"


def build_world(root: Path, sizes: dict[SourceObject, int] | None = None) -> dict[SourceObject, list[dict]]:
    """Write a world of `sizes` records per object under `root`; returns the records written."""
    written = {obj: [make_record(obj, i) for i in range(n)] for obj, n in (sizes or SIZES).items()}
    for obj, records in written.items():
        write_records(root, obj, records)
    write_manifest(root, Manifest(as_of=AS_OF))
    return written


def typed(obj: SourceObject, records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Records coerced to their declared types, keyed by their key."""
    rows = [coerce_record(obj, r) for r in records]
    keyed = {row[obj.key]: row for row in rows}
    assert len(keyed) == len(rows), "duplicate keys"
    return keyed


def client_options(options: dict[str, Any]) -> dict[str, Any]:
    """Client keywords: the connection options as changes to the FAST connection, the others as given."""
    names = {field.name for field in dataclasses.fields(Connection)}
    connection = {name: value for name, value in options.items() if name in names}
    others = {name: value for name, value in options.items() if name not in names}
    return {"connection": dataclasses.replace(FAST, **connection), **others}


def zuora_client(endpoints: Any, **options: Any) -> ZuoraClient:
    """A Zuora client of the sandbox, with fast retries unless told otherwise."""
    return ZuoraClient(
        endpoints.zuora_url, endpoints.zuora_client_id, endpoints.zuora_client_secret, **client_options(options)
    )


def salesforce_client(endpoints: Any, *, oauth: bool = False, **options: Any) -> SalesforceClient:
    """A Salesforce client of the sandbox by session id, or by client credentials when `oauth`."""
    credentials = (
        {
            "consumer_key": endpoints.salesforce_consumer_key,
            "consumer_secret": endpoints.salesforce_consumer_secret,
        }
        if oauth
        else {"session_id": endpoints.salesforce_session_id}
    )
    options = {"ca_bundle": str(endpoints.salesforce_ca_bundle), **options}
    return SalesforceClient(endpoints.salesforce_instance_url, **credentials, **client_options(options))


def customersdot_client(endpoints: Any, **options: Any) -> CustomersDotClient:
    """A CustomersDot client of the sandbox, with fast retries unless told otherwise."""
    return CustomersDotClient(
        endpoints.customersdot_database_url, password=endpoints.customersdot_password, **client_options(options)
    )
