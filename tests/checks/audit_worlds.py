"""Small hand-made worlds for the audit engine tests: a compact builder of source records, loaded into DuckDB."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from assets.raw_store import SnapshotLoad, create_raw_tables, type_batch
from checks.engine import AuditSettings, build_staging, evaluate_all
from connectors.schema import SOURCE_OBJECTS, source_object

AS_OF = dt.date(2026, 6, 15)
TERM_START = dt.date(2026, 1, 1)
TERM_END = dt.date(2027, 1, 1)
PRICE = Decimal("228.00")
LOADED_AT = dt.datetime(2026, 6, 15, 3, tzinfo=dt.UTC)

# catalog key -> (ProductTier__c, ProductDeployment__c)
CATALOG = {
    "premium-saas": ("SaaS - Premium", "GitLab.com"),
    "ultimate-saas": ("SaaS - Ultimate", "GitLab.com"),
    "premium-sm": ("Self-Managed - Premium", "Self-Managed"),
    "ultimate-sm": ("Self-Managed - Ultimate", "Self-Managed"),
    "dedicated": ("Dedicated - Ultimate", "Dedicated"),
    "storage": ("Storage", "GitLab.com"),
}
SAAS_PLANS = ("premium-saas", "ultimate-saas")


def sf_id18(id15: str) -> str:
    """The 18-character form of a 15-character Salesforce id (the documented case-checksum)."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + suffix


def _text(value: Any) -> Any:
    """Dates as the ISO text a world file holds; other values as they are."""
    return value.isoformat() if isinstance(value, dt.date) else value


def prp(key: str) -> str:
    """The ProductRatePlan id of catalog entry `key`."""
    return f"prp-{key}"


def prpc(key: str) -> str:
    """The ProductRatePlanCharge id of catalog entry `key`."""
    return f"prpc-{key}"


def sku(key: str) -> str:
    """The product SKU of catalog entry `key`."""
    return f"SKU-{key}"


class World:
    """Source records of the three systems, built with defaults that make every subscription consistent."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self._numbers = itertools.count(1)
        for key, (tier, deployment) in CATALOG.items():
            self.add("zuora", "Product", Id=f"prod-{key}", Name=tier, SKU=sku(key), ProductTier__c=tier,
                     ProductDeployment__c=deployment, EffectiveStartDate="2020-01-01")
            self.add("zuora", "ProductRatePlan", Id=prp(key), ProductId=f"prod-{key}", Name=f"{tier} - 1 Year",
                     EffectiveStartDate="2020-01-01")
            self.add("zuora", "ProductRatePlanCharge", Id=prpc(key), ProductRatePlanId=prp(key), Name=tier,
                     ChargeType="Recurring")

    def number(self) -> int:
        """A fresh integer, for ids."""
        return next(self._numbers)

    def add(self, system: str, name: str, **fields: Any) -> dict[str, Any]:
        """Add one record of `system`'s object `name`; returns it (mutable until loaded)."""
        self.records[(system, name)].append(fields)
        return fields

    def one(self, system: str, name: str, **match: Any) -> dict[str, Any]:
        """The single record of `system`'s object `name` whose fields equal `match`."""
        found = [r for r in self.records[(system, name)] if all(r.get(k) == v for k, v in match.items())]
        assert len(found) == 1, f"{len(found)} {system}/{name} records match {match}"
        return found[0]

    def remove(self, system: str, name: str, **match: Any) -> None:
        """Drop the records of `system`'s object `name` whose fields equal `match`."""
        rows = self.records[(system, name)]
        rows[:] = [r for r in rows if not all(r.get(k) == v for k, v in match.items())]

    # Salesforce

    def sf_account(self, account_id: str | None = None, **fields: Any) -> str:
        """A Salesforce account; returns its 18-character id."""
        account_id = account_id or sf_id18(f"001Qa{self.number():010d}")
        self.add("salesforce", "Account", Id=account_id, Name=f"Account {account_id}", **{"IsDeleted": False, **fields})
        return account_id

    def opportunity(self, account_id: str, **fields: Any) -> str:
        """A Closed Won New Business opportunity closed well before D; returns its id."""
        opportunity_id = sf_id18(f"006Qa{self.number():010d}")
        defaults = {"StageName": "Closed Won", "Type": "New Business", "CloseDate": "2025-12-15",
                    "Amount": Decimal("2280.00"), "Web_Portal_Purchase__c": False, "IsDeleted": False}
        self.add("salesforce", "Opportunity", Id=opportunity_id, AccountId=account_id, Name="Deal",
                 **{**defaults, **fields})
        return opportunity_id

    def quote(self, opportunity_id: str, subscription_name: str, **fields: Any) -> str:
        """A primary quote sent to Z-Billing for `subscription_name`; returns its id."""
        quote_id = sf_id18(f"a0Qa0{self.number():010d}")
        defaults = {"zqu__Primary__c": True, "zqu__Status__c": "Sent to Z-Billing", "IsDeleted": False,
                    "zqu__SubscriptionType__c": "New Subscription"}
        self.add("salesforce", "zqu__Quote__c", Id=quote_id, Name="Q", zqu__Opportunity__c=opportunity_id,
                 zqu__Subscription_Name__c=subscription_name, **{**defaults, **fields})
        return quote_id

    # Zuora

    def account(self, number: str = "A001", crm_id: str | None = None, **fields: Any) -> str:
        """A Zuora account (with a Salesforce account and a CustomersDot billing account); returns its Id."""
        account_id = f"zacc-{number}"
        crm_id = crm_id or self.sf_account()
        self.add("zuora", "Account", Id=account_id, AccountNumber=number, Name=f"Customer {number}",
                 CrmId=crm_id, Status="Active", Currency="USD", **fields)
        self.add("customersdot", "billing_accounts", id=self.number(), zuora_account_id=account_id,
                 zuora_account_name=f"Customer {number}", salesforce_account_id=crm_id)
        return account_id

    def account_record(self, number: str) -> dict[str, Any]:
        """The Zuora account `number`, created with its defaults when missing."""
        if not any(r["AccountNumber"] == number for r in self.records[("zuora", "Account")]):
            self.account(number)
        return self.one("zuora", "Account", AccountNumber=number)

    def subscription(self, name: str, plans: dict[str, Any] | None = None, *, account: str = "A001",
                     version: int = 1, start: dt.date = TERM_START, end: dt.date | None = TERM_END,
                     **fields: Any) -> str:
        """A subscription version; `plans` maps catalog keys to a seat count or a list of
        (quantity, EffectiveStartDate, EffectiveEndDate) charges. Returns the version Id."""
        self.account_record(account)
        version_id = f"sub-{name}-v{version}"
        defaults = {"Status": "Active", "TermType": "TERMED", "TermStartDate": start, "TermEndDate": end,
                    "SubscriptionStartDate": start, "ContractEffectiveDate": start,
                    "TurnOnCloudLicensing__c": "No", "TurnOnSeatReconciliation__c": "No",
                    "TurnOnAutoRenew__c": "No", "ExcludeFromAnalysis__c": "False"}
        self.add("zuora", "Subscription", Id=version_id, AccountId=f"zacc-{account}", InvoiceOwnerId=f"zacc-{account}",
                 Name=name, Version=version, OriginalId=f"sub-{name}-v1", **{**defaults, **fields})
        for key, charges in (plans or {"premium-saas": 10}).items():
            rate_plan_id = f"rp-{self.number()}"
            self.add("zuora", "RatePlan", Id=rate_plan_id, SubscriptionId=version_id, ProductRatePlanId=prp(key),
                     Name=CATALOG[key][0])
            for quantity, effective_start, effective_end in (
                charges if isinstance(charges, list) else [(charges, start, end)]
            ):
                self.add("zuora", "RatePlanCharge", Id=f"rpc-{self.number()}", RatePlanId=rate_plan_id,
                         ProductRatePlanChargeId=prpc(key), ChargeNumber=f"C-{rate_plan_id}", Name=key,
                         ChargeType="Recurring", Quantity=quantity, EffectiveStartDate=effective_start,
                         EffectiveEndDate=effective_end)
        return version_id

    def invoice(self, number: str, items: list[dict[str, Any]], *, account: str = "A001", **fields: Any) -> str:
        """A Posted, paid invoice with `items` (each: SubscriptionId, plan key, ServiceStartDate, …)."""
        invoice_id = f"inv-{number}"
        defaults = {"InvoiceDate": TERM_START, "DueDate": dt.date(2026, 1, 31), "Status": "Posted",
                    "Amount": Decimal("2280.00"), "AmountWithoutTax": Decimal("2280.00"), "Balance": Decimal("0")}
        self.add("zuora", "Invoice", Id=invoice_id, AccountId=f"zacc-{account}", InvoiceNumber=number,
                 **{**defaults, **fields})
        for item in items:
            key = item.pop("plan")
            self.add("zuora", "InvoiceItem", Id=f"ii-{self.number()}", InvoiceId=invoice_id,
                     ProductRatePlanChargeId=prpc(key), SKU=sku(key), ChargeName=key, ChargeAmount=PRICE,
                     **{"ServiceStartDate": TERM_START, "ServiceEndDate": TERM_END, **item})
        return invoice_id

    # CustomersDot

    def order(self, name: str | None, plan: str | None = "premium-saas", quantity: int = 10, *,
              start: dt.date | None = TERM_START, end: dt.date | None = TERM_END, **fields: Any) -> str:
        """An order of subscription `name`; returns its id as a string (the subject id of order rules)."""
        order_id = self.number()
        defaults = {"subscription_id": f"sub-{name}-v1", "gl_namespace_id": f"ns-{name}", "trial": False,
                    "customer_id": 1}
        plan_id = prp(plan) if plan in CATALOG else plan
        self.add("customersdot", "orders", id=order_id, subscription_name=name, product_rate_plan_id=plan_id,
                 quantity=quantity, start_date=start, end_date=end, **{**defaults, **fields})
        return str(order_id)

    def license(self, name: str | None, users: int = 10, *, starts: dt.date | None = TERM_START,
                expires: dt.date | None = TERM_END, **fields: Any) -> str:
        """A license of subscription `name`; returns its id as a string."""
        license_id = self.number()
        self.add("customersdot", "licenses", id=license_id, zuora_subscription_name=name, users_count=users,
                 starts_at=starts, expires_at=expires, **{"trial": False, "plan_code": "premium", **fields})
        return str(license_id)

    def activation(self, name: str) -> None:
        """A cloud activation of subscription `name`."""
        self.add("customersdot", "cloud_activations", id=self.number(), subscription_name=name,
                 activation_code="code")

    def seat_link(self, name: str, max_users: int, at: str = "2026-06-14T02:00:00.000Z") -> None:
        """A seat link of subscription `name` reporting `max_users`."""
        self.add("customersdot", "license_seat_links", id=self.number(), zuora_subscription_name=name,
                 report_timestamp=at, active_user_count=max_users, max_historical_user_count=max_users)

    # Consistent subscriptions

    def paid(self, name: str, plan: str = "premium-saas", seats: int = 10, *, account: str = "A001",
             start: dt.date = TERM_START, end: dt.date = TERM_END, **fields: Any) -> str:
        """A paid subscription in force, consistent in every system (order, invoice, opportunity,
        and for SM a license); returns its version Id."""
        crm_id = self.account_record(account)["CrmId"]
        opportunity_id = self.opportunity(crm_id, Invoice_Number__c=f"INV-{name}")
        if plan in SAAS_PLANS:
            fields.setdefault("GitLabNamespaceId__c", f"ns-{name}")
        version_id = self.subscription(name, {plan: seats}, account=account, start=start, end=end,
                                       OpportunityId__c=opportunity_id, **fields)
        self.order(name, plan, seats, start=start, end=end, gl_namespace_id=fields.get("GitLabNamespaceId__c"))
        if plan.endswith("-sm"):
            self.license(name, seats, starts=start, expires=end)
        self.invoice(f"INV-{name}", [{"SubscriptionId": version_id, "plan": plan, "ServiceStartDate": start}],
                     account=account)
        return version_id

    # Audit

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory database holding this world's raw tables."""
        con = duckdb.connect()
        create_raw_tables(con)
        for (system, name), records in self.records.items():
            obj = source_object(system, name)
            batch = type_batch(obj, [{k: _text(v) for k, v in record.items()} for record in records])
            assert not batch.rejected, batch.rejected
            con.register("batch_rows", batch.frame)
            con.execute(f"INSERT INTO {obj.table} SELECT * FROM batch_rows")
            con.unregister("batch_rows")
        return con

    def snapshot(self, con: duckdb.DuckDBPyConnection) -> None:
        """Swap this world's records into `con`'s raw tables as a routine full load does: every object, each
        drawing a new change id only where its rows changed."""
        for obj in SOURCE_OBJECTS:
            load = SnapshotLoad(con, obj)
            load.add([{k: _text(v) for k, v in record.items()} for record in self.records[(obj.system, obj.name)]])
            assert not load.rejected, load.rejected
            load.commit_full(LOADED_AT, validate_whole=False)

    def findings(self, as_of: dt.date = AS_OF, **settings: Any) -> pl.DataFrame:
        """The findings of this world's audit."""
        return evaluate_all(self.connect(), AuditSettings(as_of=as_of, **settings))

    def pairs(self, as_of: dt.date = AS_OF, **settings: Any) -> set[tuple[str, str]]:
        """The (rule_id, subject_id) pairs of this world's audit."""
        return set(self.findings(as_of, **settings).select("rule_id", "subject_id").iter_rows())

    def staged(self, view: str, as_of: dt.date = AS_OF) -> list[dict[str, Any]]:
        """The rows of staging view `view`."""
        con = self.connect()
        build_staging(con, AuditSettings(as_of=as_of))
        return con.sql(f"SELECT * FROM staging.{view}").pl().to_dicts()
