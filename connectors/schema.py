"""The declared schema of every source object: one declaration serves extraction, storage and checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class FieldType(StrEnum):
    """The logical type of a source field, with its DuckDB column type."""

    STRING = "VARCHAR"
    INTEGER = "BIGINT"
    MONEY = "DECIMAL(18,2)"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATETIME = "TIMESTAMPTZ"


S, INT, M, B, D, T = (
    FieldType.STRING,
    FieldType.INTEGER,
    FieldType.MONEY,
    FieldType.BOOLEAN,
    FieldType.DATE,
    FieldType.DATETIME,
)


@dataclass(frozen=True)
class Field:
    """One field of a source object, named as the source API names it."""

    name: str
    type: FieldType
    allowed: tuple[str, ...] | None = None
    non_negative: bool = False


@dataclass(frozen=True)
class SourceObject:
    """A source object: its system, API name, fields, primary key and watermark column."""

    system: str
    name: str
    fields: tuple[Field, ...]
    key: str
    watermark: str

    @property
    def table(self) -> str:
        """The DuckDB table `raw_<system>.<object>` that holds the extract."""
        return f"raw_{self.system}.{self.name.lower()}"

    @property
    def world_path(self) -> str:
        """The file of this object inside a world directory."""
        return f"{self.system}/{self.name}.jsonl"

    @property
    def field_names(self) -> tuple[str, ...]:
        """The field names in declaration order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The declared field called `name`."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.system}.{self.name} has no field {name}")


def _f(name: str, type_: FieldType = S, *allowed: str, non_negative: bool = False) -> Field:
    return Field(name, type_, allowed or None, non_negative)


YES_NO = ("Yes", "No")

_Z_STAMPS = (_f("CreatedDate", T), _f("UpdatedDate", T))
_SF_STAMPS = (_f("CreatedDate", T), _f("SystemModstamp", T))
_CD_STAMPS = (_f("created_at", T), _f("updated_at", T))


def _zuora(name: str, *fields: Field) -> SourceObject:
    return SourceObject("zuora", name, (_f("Id"), *fields, *_Z_STAMPS), "Id", "UpdatedDate")


def _salesforce(name: str, *fields: Field) -> SourceObject:
    return SourceObject("salesforce", name, (_f("Id"), *fields, *_SF_STAMPS), "Id", "SystemModstamp")


def _customersdot(name: str, *fields: Field) -> SourceObject:
    return SourceObject("customersdot", name, (_f("id", INT), *fields, *_CD_STAMPS), "id", "updated_at")


SOURCE_OBJECTS: tuple[SourceObject, ...] = (
    _zuora(
        "Account",
        _f("AccountNumber"),
        _f("Name"),
        _f("CrmId"),
        _f("Status", S, "Active", "Canceled"),
        _f("Currency"),
        _f("Entity__c"),
        _f("SspChannel__c"),
    ),
    _zuora(
        "Subscription",
        _f("AccountId"),
        _f("InvoiceOwnerId"),
        _f("Name"),
        _f(
            "Status",
            S,
            "Draft",
            "Pending Activation",
            "Pending Acceptance",
            "Active",
            "Cancelled",
            "Suspended",
            "Expired",
        ),
        _f("Version", INT, non_negative=True),
        _f("OriginalId"),
        _f("PreviousSubscriptionId"),
        _f("TermType", S, "TERMED", "EVERGREEN"),
        _f("TermStartDate", D),
        _f("TermEndDate", D),
        _f("SubscriptionStartDate", D),
        _f("SubscriptionEndDate", D),
        _f("ContractEffectiveDate", D),
        _f("AutoRenew", B),
        _f("Notes"),
        _f("CreatedById"),
        _f("OpportunityId__c"),
        _f("GitLabNamespaceId__c"),
        _f("GitLabNamespaceName__c"),
        _f("TurnOnCloudLicensing__c", S, "Yes", "Offline", "No"),
        _f("TurnOnSeatReconciliation__c", S, *YES_NO),
        _f("TurnOnAutoRenew__c", S, *YES_NO),
        _f("Renewal_Subscription__c__c"),
        _f("ExcludeFromAnalysis__c", S, "True", "False"),
    ),
    _zuora(
        "RatePlan",
        _f("SubscriptionId"),
        _f("ProductRatePlanId"),
        _f("Name"),
        _f("AmendmentType", S, "NewProduct", "UpdateProduct", "RemoveProduct", "Renewal"),
    ),
    _zuora(
        "RatePlanCharge",
        _f("RatePlanId"),
        _f("ProductRatePlanChargeId"),
        _f("ChargeNumber"),
        _f("Name"),
        _f("ChargeType", S, "Recurring", "OneTime", "Usage"),
        _f("Quantity", INT, non_negative=True),
        _f("EffectiveStartDate", D),
        _f("EffectiveEndDate", D),
        _f("MRR", M),
        _f("TCV", M),
    ),
    _zuora(
        "Invoice",
        _f("AccountId"),
        _f("InvoiceNumber"),
        _f("InvoiceDate", D),
        _f("DueDate", D),
        _f("Status", S, "Draft", "Posted", "Canceled"),
        _f("Amount", M),
        _f("AmountWithoutTax", M),
        _f("Balance", M),
    ),
    _zuora(
        "InvoiceItem",
        _f("InvoiceId"),
        _f("SubscriptionId"),
        _f("RatePlanChargeId"),
        _f("ProductRatePlanChargeId"),
        _f("SKU"),
        _f("ChargeName"),
        _f("ChargeAmount", M),
        _f("Quantity", INT, non_negative=True),
        _f("ServiceStartDate", D),
        _f("ServiceEndDate", D),
    ),
    _zuora(
        "Product",
        _f("Name"),
        _f("SKU"),
        _f("ProductTier__c"),
        _f("ProductDeployment__c", S, "GitLab.com", "Self-Managed", "Dedicated"),
        _f("EffectiveStartDate", D),
        _f("EffectiveEndDate", D),
    ),
    _zuora(
        "ProductRatePlan",
        _f("ProductId"),
        _f("Name"),
        _f("EffectiveStartDate", D),
        _f("EffectiveEndDate", D),
    ),
    _zuora(
        "ProductRatePlanCharge",
        _f("ProductRatePlanId"),
        _f("Name"),
        _f("ChargeType", S, "Recurring", "OneTime", "Usage"),
    ),
    _zuora(
        "ProductRatePlanChargeTier",
        _f("ProductRatePlanChargeId"),
        _f("Currency"),
        _f("Price", M, non_negative=True),
    ),
    _salesforce(
        "Account",
        _f("Name"),
        _f("MasterRecordId"),
        _f("IsDeleted", B),
        _f("Type"),
        _f("BillingCountry"),
    ),
    _salesforce(
        "Opportunity",
        _f("AccountId"),
        _f("Name"),
        _f("StageName"),
        _f("Type", S, "New Business", "Add-On Business", "Renewal"),
        _f("CloseDate", D),
        _f("Amount", M),
        _f("Invoice_Number__c"),
        _f("Web_Portal_Purchase__c", B),
        _f("IsDeleted", B),
    ),
    _salesforce(
        "zqu__Quote__c",
        _f("Name"),
        _f("zqu__Opportunity__c"),
        _f("zqu__Account__c"),
        _f("zqu__Primary__c", B),
        _f("zqu__Status__c"),
        _f("zqu__SubscriptionType__c", S, "New Subscription", "Amend Subscription", "Renew Subscription"),
        _f("zqu__Subscription_Name__c"),
        _f("zqu__ZuoraSubscriptionID__c"),
        _f("zqu__ZuoraAccountID__c"),
        _f("zqu__StartDate__c", D),
        _f("IsDeleted", B),
    ),
    _customersdot(
        "customers",
        _f("email"),
        _f("first_name"),
        _f("last_name"),
        _f("company"),
        _f("uid", INT),
        _f("salesforce_account_id"),
    ),
    _customersdot(
        "billing_accounts",
        _f("zuora_account_id"),
        _f("zuora_account_name"),
        _f("salesforce_account_id"),
    ),
    _customersdot(
        "orders",
        _f("customer_id", INT),
        _f("billing_account_id", INT),
        _f("product_rate_plan_id"),
        _f("subscription_id"),
        _f("subscription_name"),
        _f("start_date", D),
        _f("end_date", D),
        _f("quantity", INT, non_negative=True),
        _f("gl_namespace_id"),
        _f("gl_namespace_name"),
        _f("amendment_type"),
        _f("trial", B),
    ),
    _customersdot(
        "licenses",
        _f("customer_id", INT),
        _f("email"),
        _f("company"),
        _f("users_count", INT, non_negative=True),
        _f("previous_users_count", INT, non_negative=True),
        _f("trueup_quantity", INT, non_negative=True),
        _f("plan_code", S, "premium", "ultimate"),
        _f("starts_at", D),
        _f("expires_at", D),
        _f("trial", B),
        _f("zuora_subscription_id"),
        _f("zuora_subscription_name"),
        _f("cloud_licensing_enabled", B),
    ),
    _customersdot(
        "cloud_activations",
        _f("customer_id", INT),
        _f("billing_account_id", INT),
        _f("activation_code"),
        _f("subscription_name"),
    ),
    _customersdot(
        "license_seat_links",
        _f("zuora_subscription_id"),
        _f("zuora_subscription_name"),
        _f("order_id", INT),
        _f("hostname"),
        _f("instance_identifier"),
        _f("report_timestamp", T),
        _f("active_user_count", INT, non_negative=True),
        _f("license_user_count", INT, non_negative=True),
        _f("max_historical_user_count", INT, non_negative=True),
    ),
)

SYSTEMS: tuple[str, ...] = ("zuora", "salesforce", "customersdot")


def objects_of(system: str) -> tuple[SourceObject, ...]:
    """The declared objects of one system."""
    return tuple(o for o in SOURCE_OBJECTS if o.system == system)


def source_object(system: str, name: str) -> SourceObject:
    """The declaration of `system`'s object `name`."""
    for o in SOURCE_OBJECTS:
        if o.system == system and o.name == name:
            return o
    raise KeyError(f"no source object {system}/{name}")


def object_label(obj: SourceObject) -> str:
    """`system/Object`, the name used in watermarks, quarantine and reports."""
    return f"{obj.system}/{obj.name}"


class CoercionError(ValueError):
    """A field value that cannot be read as its declared type."""


def parse_datetime(text: str) -> dt.datetime:
    """Read a source datetime (`…Z`, `…+0000`, `…-08:00`) as an aware datetime."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit() and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise CoercionError(f"not a boolean: {value!r}")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CoercionError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (str, Decimal)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise CoercionError(f"not an integer: {value!r}") from exc
        if number == number.to_integral_value():
            return int(number)
    raise CoercionError(f"not an integer: {value!r}")


def _to_money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CoercionError(f"not an amount: {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise CoercionError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise CoercionError(f"not an amount: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise CoercionError(f"not a date: {value!r}")
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise CoercionError(f"not a date: {value!r}") from exc


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    if not isinstance(value, str):
        raise CoercionError(f"not a datetime: {value!r}")
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise CoercionError(f"not a datetime: {value!r}") from exc


def _to_string(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise CoercionError(f"not a scalar: {value!r}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_COERCE = {
    FieldType.STRING: _to_string,
    FieldType.INTEGER: _to_int,
    FieldType.MONEY: _to_money,
    FieldType.BOOLEAN: _to_bool,
    FieldType.DATE: _to_date,
    FieldType.DATETIME: _to_datetime,
}


def coerce_value(field: Field, value: Any) -> Any:
    """The Python value of `value` read as `field`'s type; empty strings and None are null."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _COERCE[field.type](value)


def coerce_record(obj: SourceObject, record: dict[str, Any]) -> dict[str, Any]:
    """The typed row of `record` in declaration order; raises CoercionError naming the field."""
    row: dict[str, Any] = {}
    for field in obj.fields:
        try:
            row[field.name] = coerce_value(field, record.get(field.name))
        except CoercionError as exc:
            raise CoercionError(f"{field.name}: {exc}") from None
    if row[obj.key] is None:
        raise CoercionError(f"{obj.key}: missing key")
    return row
