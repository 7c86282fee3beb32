"""The in-memory world: records per source object, plus the customer bundles that built them."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connectors.schema import SOURCE_OBJECTS
from sandbox.generator.clock import Clock
from sandbox.generator.ids import Ids

if TYPE_CHECKING:
    from sandbox.generator.catalog import Catalog, Plan
    from sandbox.generator.specs import CustomerSpec, LineSpec

Record = dict[str, Any]

STAMP_FIELDS = {  # (creation, update) timestamp fields per system
    "zuora": ("CreatedDate", "UpdatedDate"),
    "salesforce": ("CreatedDate", "SystemModstamp"),
    "customersdot": ("created_at", "updated_at"),
}


def as_date(text: str | None) -> dt.date | None:
    """A record's `YYYY-MM-DD` field as a date (None stays None)."""
    return None if text is None else dt.date.fromisoformat(text)


def in_effect(start: str | None, end: str | None, day: str) -> bool:
    """Whether the half-open range [start, end) contains `day` (ISO strings; empty end is open)."""
    return start is not None and start <= day and (end is None or day < end)


@dataclass
class PlanLine:
    """One rate plan of a subscription version, with its catalog plan and charges."""

    rate_plan: Record
    plan: Plan
    charges: list[Record]


@dataclass
class Charge:
    """A charge an event bills: the charge record, its plan, quantity and service period."""

    record: Record
    plan: Plan
    quantity: int
    start: dt.date
    end: dt.date | None
    prorated: bool = False


@dataclass
class Invoice:
    """A Zuora invoice with its items."""

    record: Record
    items: list[Record]


@dataclass
class Event:
    """A booking that created a subscription version: a new term, a renewal or an add-on."""

    kind: str
    on: dt.date
    version: Record
    charges: list[Charge]
    invoice: Invoice | None = None
    opportunity: Record | None = None
    quote: Record | None = None


@dataclass
class Sub:
    """One subscription name with every record in the three systems that derives from it."""

    spec: LineSpec
    name: str
    customer: Customer
    account: Record
    invoice_owner: Record
    billing_account: Record | None
    namespace: tuple[str, str] | None = None
    versions: list[Record] = field(default_factory=list)
    lines: list[PlanLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    orders: list[Record] = field(default_factory=list)
    licenses: list[Record] = field(default_factory=list)
    activations: list[Record] = field(default_factory=list)
    seat_links: list[Record] = field(default_factory=list)

    @property
    def latest(self) -> Record:
        """The latest version's Subscription record."""
        return self.versions[-1]

    @property
    def term_start(self) -> dt.date:
        """The latest version's TermStartDate."""
        return dt.date.fromisoformat(self.latest["TermStartDate"])

    @property
    def term_end(self) -> dt.date | None:
        """The latest version's TermEndDate (None when evergreen)."""
        return as_date(self.latest.get("TermEndDate"))

    @property
    def end(self) -> dt.date | None:
        """End(S): SubscriptionEndDate when cancelled, else TermEndDate (None when evergreen)."""
        field_name = "SubscriptionEndDate" if self.latest["Status"] == "Cancelled" else "TermEndDate"
        return as_date(self.latest.get(field_name))

    def in_force(self, day: dt.date) -> bool:
        """Whether the subscription is in force on `day`."""
        end = self.end
        return self.latest["Status"] in ("Active", "Cancelled") and self.term_start <= day and (
            end is None or day < end)

    def seats(self, day: dt.date, plan_id: str | None = None) -> int:
        """Seats(S, P) (or Seats(S) without `plan_id`) on `day`, per the rules' definition."""
        reference = max(day, self.term_start).isoformat()
        return sum(
            charge["Quantity"]
            for line in self.lines
            if (line.plan.id == plan_id if plan_id else line.plan.is_base)
            for charge in line.charges
            if charge["ChargeType"] == "Recurring"
            and in_effect(charge["EffectiveStartDate"], charge.get("EffectiveEndDate"), reference)
        )

    def base_plans(self) -> list[Plan]:
        """The distinct base plans of the latest version, in rate plan order."""
        return list(dict.fromkeys(line.plan for line in self.lines if line.plan.is_base))

    def current_license(self, day: dt.date) -> Record | None:
        """The current license of the subscription name on `day`, per the rules' definition."""
        text = day.isoformat()
        candidates = [
            lic for lic in self.licenses
            if not lic["trial"] and lic["starts_at"] <= text and lic["starts_at"] < lic["expires_at"]
        ]
        return max(candidates, key=lambda lic: (lic["starts_at"], lic["id"]), default=None)

    def base_order(self) -> Record:
        """The first order on a base plan of the latest version."""
        base_ids = {plan.id for plan in self.base_plans()}
        return next(order for order in self.orders if order["product_rate_plan_id"] in base_ids)


@dataclass
class Customer:
    """A buying organisation: its Salesforce account, Zuora accounts, CustomersDot records and subscriptions."""

    spec: CustomerSpec
    name: str
    sf_account: Record
    crm_id: str
    domain: str
    contact: Record
    since: dt.date
    accounts: list[Record] = field(default_factory=list)
    billing_accounts: dict[str, Record] = field(default_factory=dict)
    subs: list[Sub] = field(default_factory=list)


class World:
    """Every record of a world being generated, with its random generator, id maker and clock."""

    def __init__(self, as_of: dt.date, seed: int) -> None:
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.clock = Clock(self.rng, as_of)
        self.records: dict[str, list[Record]] = {f"{o.system}/{o.name}": [] for o in SOURCE_OBJECTS}
        self.catalog: Catalog
        self.resellers: list[Record] = []
        self.customers: list[Customer] = []
        self._dropped: set[int] = set()

    def add(self, key: str, record: Record) -> Record:
        """Add a record of object `key` (`system/Object`) and return it."""
        self.records[key].append(record)
        return record

    def drop(self, *records: Record) -> None:
        """Remove records from the world."""
        self._dropped.update(id(record) for record in records)

    def is_live(self, record: Record) -> bool:
        """Whether a record was not dropped."""
        return id(record) not in self._dropped

    def live(self, key: str) -> Iterator[Record]:
        """The records of object `key` that were not dropped."""
        dropped = self._dropped
        return (record for record in self.records[key] if id(record) not in dropped)

    def stamps(self, system: str, day: dt.date) -> dict[str, str]:
        """The creation and update timestamp fields of a record created on `day`."""
        created, updated = self.clock.stamps(system, day)
        names = STAMP_FIELDS[system]
        return {names[0]: created, names[1]: updated}

    def zuora_stamps(self, day: dt.date) -> dict[str, str]:
        """`CreatedDate` / `UpdatedDate` of a Zuora record created on `day`."""
        return self.stamps("zuora", day)

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.rng.random() < probability

    def days_ago(self, low: int, high: int) -> dt.date:
        """A date between `high` and `low` days before `as_of` (inclusive)."""
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))
