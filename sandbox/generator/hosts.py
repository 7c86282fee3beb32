"""Customers built on purpose for a trap or a defect, and the edits that defects and traps make to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.generator.clock import add_months, days, iso
from sandbox.generator.population import build_customer, new_namespace
from sandbox.generator.specs import sample_customer, sample_line
from sandbox.generator.world_model import Customer, Event, Invoice, Record, Sub, World

PLAIN = {"predecessor": None, "evergreen": False, "addon": None, "cancel_on": None, "second_plan": False,
         "excluded": False, "status": None}


def customer_with(world: World, *lines: dict[str, Any], **customer_pins: Any) -> list[Sub]:
    """A new customer (without extras) whose subscription lines are sampled under the given pins."""
    specs = tuple(sample_line(world.rng, world.as_of, world.catalog, **{**PLAIN, **pins}) for pins in lines)
    spec = sample_customer(world.rng, world.as_of, world.catalog, lines=specs, extras=False, **customer_pins)
    return build_customer(world, spec).subs


def running(world: World, deployment: str, *, customer: dict[str, Any] | None = None, **pins: Any) -> Sub:
    """A new customer (customer pins optional) with one plain subscription of `deployment` in force."""
    return customer_with(world, {"state": "running", "deployment": deployment, **pins}, **(customer or {}))[-1]


def ended(world: World, deployment: str, ended_on: dt.date, **pins: Any) -> Sub:
    """A new customer with one plain one-year subscription whose term ended on `ended_on`."""
    return customer_with(world, {"state": "ended", "deployment": deployment, "term_months": 12,
                                 "term_start": add_months(ended_on, -12), **pins})[-1]


def term_ending(world: World, low: int, high: int) -> dt.date:
    """The start of a one-year term that ends between `low` and `high` days after `as_of`."""
    return add_months(days(world.as_of, world.rng.randint(low, high)), -12)


def set_namespace(sub: Sub, namespace: tuple[str, str] | None, *, on_sub: bool = True,
                  on_orders: bool = True) -> None:
    """Record `namespace` (or none) on every version and/or every order of `sub`."""
    value = namespace or (None, None)
    if on_sub:
        for version in sub.versions:
            version["GitLabNamespaceId__c"], version["GitLabNamespaceName__c"] = value
    if on_orders:
        for order in sub.orders:
            order["gl_namespace_id"], order["gl_namespace_name"] = value


def fresh_namespace(world: World, sub: Sub) -> tuple[str, str]:
    """A new namespace of the customer of `sub`, used by no subscription."""
    return new_namespace(world, sub.customer)


def latest_term(sub: Sub) -> Event:
    """The booking event of the latest term of `sub` (its new term or last renewal)."""
    return next(e for e in reversed(sub.events) if e.kind != "addon")


def term_invoice(sub: Sub) -> Invoice:
    """The posted invoice of the latest term of `sub`."""
    invoice = latest_term(sub).invoice
    if invoice is None:
        raise LookupError(f"{sub.name}: the latest term is not invoiced")
    return invoice


def term_opportunity(sub: Sub) -> Record:
    """The opportunity that booked the latest term of `sub`."""
    opportunity = latest_term(sub).opportunity
    if opportunity is None:
        raise LookupError(f"{sub.name}: the latest term is not booked")
    return opportunity


def current_license(world: World, sub: Sub) -> Record:
    """The current license of `sub` on `as_of` (which must exist)."""
    current = sub.current_license(world.as_of)
    if current is None:
        raise LookupError(f"{sub.name}: no current license")
    return current


def shift(day: str, count: int) -> str:
    """An ISO date moved by `count` days."""
    return iso(days(dt.date.fromisoformat(day), count))


@dataclass
class Host:
    """An injected defect and the records it lives on: all its injector wrote, and what its fixes wrote since."""

    rule_id: str
    instance: int
    subject: str
    customers: list[Customer]
    records: dict[str, list[Record]]

    @property
    def subs(self) -> list[Sub]:
        """Every subscription name of the host customers, in build order."""
        return [sub for customer in self.customers for sub in customer.subs]

    @property
    def sub(self) -> Sub:
        """The subscription the defect was built on (the last one of the first host customer)."""
        return self.customers[0].subs[-1]

    def find(self, key: str, field_name: str, value: object) -> Record:
        """The host record of object `key` whose `field_name` is `value` (compared as text)."""
        text = str(value)
        return next(r for r in self.records[key] if str(r.get(field_name)) == text)

    def all_records(self) -> Iterator[Record]:
        """Every record of the host."""
        for records in self.records.values():
            yield from records


def subject_order_end(host: Host) -> str | None:
    """The end_date of the order that is the host's subject: a finding about an order lapses when it ends."""
    return host.find("customersdot/orders", "id", host.subject).get("end_date")
