"""Zuora subscriptions: versions (new term, renewals, add-on, cancellation), rate plans and charges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sandbox.generator.catalog import Plan
from sandbox.generator.clock import add_months, days, iso
from sandbox.generator.world_model import Charge, Event, PlanLine, Record, Sub, World

FULFILLMENT_USER = "2c92a0fd5c2b7a8e015c2d5ce1e02b41"  # svc_zuora_fulfillment_int@gitlab.com (web purchases)
SFDC_USER = "2c92a0fe5b3d5a73015b4e8c0b1f4c2e"  # svc_ZuoraSFDC_integration@gitlab.com (sales-assisted)


@dataclass
class _Line:
    plan: Plan
    number: str
    segments: list[list] = field(default_factory=list)  # [start, end, quantity]
    amendment: str = "NewProduct"


def _terms(sub: Sub) -> list[tuple[dt.date, dt.date | None]]:
    spec = sub.spec
    if spec.evergreen:
        return [(spec.term_start, None)]
    first = spec.first_start
    return [(add_months(first, spec.term_months * k), add_months(first, spec.term_months * (k + 1)))
            for k in range(spec.prior_terms + 1)]


def _term_seats(world: World, sub: Sub, count: int) -> list[int]:
    seats = [sub.spec.seats]
    for _ in range(count - 1):
        seats.insert(0, max(1, round(seats[0] / world.rng.uniform(0.85, 1.5))))
    return seats


def _carry(world: World, previous: list[_Line], plan: Plan, start: dt.date, end: dt.date | None,
           quantity: int) -> _Line:
    for line in previous:
        if line.plan is plan:
            return _Line(plan, line.number, [line.segments[-1], [start, end, quantity]], "Renewal")
    return _Line(plan, world.ids.charge_number(), [[start, end, quantity]])


def _one_time(world: World, plan: Plan, on: dt.date, quantity: int) -> _Line:
    return _Line(plan, world.ids.charge_number(), [[on, days(on, 1), quantity]])


def _term_lines(world: World, sub: Sub, index: int, last: int, start: dt.date, end: dt.date | None, seats: int,
                previous: list[_Line]) -> list[_Line]:
    spec, catalog = sub.spec, world.catalog
    if spec.deployment == "Storage":
        return [_carry(world, previous, catalog.plan("Storage"), start, end, seats)]
    era = spec.era if index == last else catalog.era_for(start)
    lines = [_carry(world, previous, catalog.base_plan(spec.deployment, spec.tier, spec.term_months, era),
                    start, end, seats)]
    if spec.second_plan:
        other = "Premium" if spec.tier == "Ultimate" else "Ultimate"
        other_era = era if catalog.has_era(spec.deployment, other, era) else "current"
        other_plan = catalog.base_plan(spec.deployment, other, spec.term_months, other_era)
        lines.append(_carry(world, previous, other_plan, start, end, max(1, seats // 4)))
    if spec.storage:
        lines.append(_carry(world, previous, catalog.plan("Storage"), start, end, world.rng.randint(1, 10)))
    if index == last and spec.compute:
        lines.append(_one_time(world, catalog.plan("Compute"), start, world.rng.randint(1, 20)))
    if index == last and index > 0 and spec.trueup:
        lines.append(_one_time(world, catalog.plan(f"Trueup {spec.tier}"), start, max(1, seats // 10)))
    return lines


def _money(cents: float) -> float:
    return round(cents) / 100


def _write_version(world: World, sub: Sub, kind: str, on: dt.date, term: tuple[dt.date, dt.date | None],
                   lines: list[_Line], billed: list[tuple[int, int, int, bool]]) -> None:
    spec, previous = sub.spec, (sub.versions[-1] if sub.versions else None)
    ns_on_sub = sub.namespace is not None and spec.namespace_on in ("both", "sub")
    created = min(on, world.as_of) - dt.timedelta(days=world.rng.randint(0, 20 if kind != "addon" else 3))
    version_id = world.ids.zuora()
    cancelled = kind == "cancel"
    record = world.add("zuora/Subscription", {
        "Id": version_id,
        "AccountId": sub.account["Id"],
        "InvoiceOwnerId": sub.invoice_owner["Id"],
        "Name": sub.name,
        "Status": "Active",
        "Version": len(sub.versions) + 1,
        "OriginalId": previous["OriginalId"] if previous else version_id,
        "PreviousSubscriptionId": previous["Id"] if previous else None,
        "TermType": "EVERGREEN" if spec.evergreen else "TERMED",
        "TermStartDate": iso(term[0]),
        "TermEndDate": iso(term[1]),
        "SubscriptionStartDate": iso(spec.first_start),
        "SubscriptionEndDate": iso(spec.cancel_on if cancelled else term[1]),
        "ContractEffectiveDate": iso(spec.first_start),
        "AutoRenew": spec.auto_renew,
        "Notes": None,
        "CreatedById": FULFILLMENT_USER if spec.web else SFDC_USER,
        **world.zuora_stamps(created),
        "OpportunityId__c": None,
        "GitLabNamespaceId__c": sub.namespace[0] if ns_on_sub else None,
        "GitLabNamespaceName__c": sub.namespace[1] if ns_on_sub else None,
        "TurnOnCloudLicensing__c": spec.cloud,
        "TurnOnSeatReconciliation__c": spec.qsr,
        "TurnOnAutoRenew__c": "Yes" if spec.auto_renew else "No",
        "Renewal_Subscription__c__c": None,
        "ExcludeFromAnalysis__c": "False",
    })
    sub.versions.append(record)
    currency = sub.account["Currency"]
    stamps = world.zuora_stamps(created)
    plan_lines = []
    for line in lines:
        rate_plan = world.add("zuora/RatePlan", {
            "Id": world.ids.zuora(), "SubscriptionId": version_id, "ProductRatePlanId": line.plan.id,
            "Name": line.plan.name, "AmendmentType": line.amendment, **stamps,
        })
        charges = []
        for start, end, quantity in line.segments:
            yearly = quantity * line.plan.cents(currency)
            recurring = line.plan.charge_type == "Recurring"
            years = ((end - start).days / 365 if end else 1.0) if recurring else 1.0
            charges.append(world.add("zuora/RatePlanCharge", {
                "Id": world.ids.zuora(), "RatePlanId": rate_plan["Id"], "ProductRatePlanChargeId": line.plan.charge_id,
                "ChargeNumber": line.number, "Name": line.plan.charge_name, "ChargeType": line.plan.charge_type,
                "Quantity": quantity, "EffectiveStartDate": iso(start), "EffectiveEndDate": iso(end),
                "MRR": _money(yearly / 12) if recurring else 0.0, "TCV": _money(yearly * years), **stamps,
            }))
        plan_lines.append(PlanLine(rate_plan, line.plan, charges))
    sub.lines = plan_lines
    if kind != "cancel":
        charges = [Charge(plan_lines[li].charges[si], plan_lines[li].plan, quantity,
                          lines[li].segments[si][0], lines[li].segments[si][1], prorated)
                   for li, si, quantity, prorated in billed]
        sub.events.append(Event(kind, on, record, charges))


def build_subscription(world: World, sub: Sub) -> None:
    """Write every version of `sub` with its rate plans and charges, and record its booking events."""
    spec = sub.spec
    terms = _terms(sub)
    seats = _term_seats(world, sub, len(terms))
    lines: list[_Line] = []
    last = len(terms) - 1
    for index, (start, end) in enumerate(terms):
        lines = _term_lines(world, sub, index, last, start, end, seats[index], lines)
        billed = [(li, len(line.segments) - 1, line.segments[-1][2], False) for li, line in enumerate(lines)]
        _write_version(world, sub, "new" if index == 0 else "renewal", start, (start, end), lines, billed)
    term = terms[-1]
    if spec.addon and spec.addon_on:
        on, extra = spec.addon_on, spec.addon_seats
        base = lines[0]
        if spec.addon == "update":
            start, end, quantity = base.segments[-1]
            base.segments[-1:] = [[start, on, quantity], [on, end, quantity + extra]]
            base.amendment = "UpdateProduct"
            billed = [(0, len(base.segments) - 1, extra, True)]
        else:
            lines.append(_Line(base.plan, world.ids.charge_number(), [[on, term[1], extra]]))
            billed = [(len(lines) - 1, 0, extra, True)]
        _write_version(world, sub, "addon", on, term, lines, billed)
    if spec.cancel_on:
        cut = spec.cancel_on
        for line in lines:
            line.segments = [[start, min(end, cut) if end else cut, quantity]
                             for start, end, quantity in line.segments if start < cut]
        _write_version(world, sub, "cancel", cut, term, lines, [])
    for version in sub.versions[:-1]:
        version["Status"] = "Expired"
    sub.latest["Status"] = spec.latest_status
    sub.latest["Notes"] = spec.notes
    sub.latest["ExcludeFromAnalysis__c"] = "True" if spec.excluded else "False"


def replace_plans(world: World, sub: Sub, replace: dict[Plan, Plan], on: dt.date) -> Record:
    """Amend `sub` on `on`: a new version whose rate plans on the `replace` keys move to their values.

    The charges keep their numbers, quantities and dates; the prior version expires; CustomersDot re-syncs the
    orders on a replaced plan (plan and version id).
    """
    previous = sub.latest
    version_id = world.ids.zuora()
    stamps = world.zuora_stamps(on)
    record = world.add("zuora/Subscription", {**previous, "Id": version_id, "Version": previous["Version"] + 1,
                                              "PreviousSubscriptionId": previous["Id"], **stamps})
    previous["Status"] = "Expired"
    sub.versions.append(record)
    lines = []
    for line in sub.lines:
        plan = replace.get(line.plan, line.plan)
        amendment = "UpdateProduct" if plan is not line.plan else line.rate_plan["AmendmentType"]
        rate_plan = world.add("zuora/RatePlan", {
            **line.rate_plan, "Id": world.ids.zuora(), "SubscriptionId": version_id, "ProductRatePlanId": plan.id,
            "Name": plan.name, "AmendmentType": amendment, **stamps})
        charges = [world.add("zuora/RatePlanCharge", {**charge, "Id": world.ids.zuora(), "RatePlanId": rate_plan["Id"],
                                                      "ProductRatePlanChargeId": plan.charge_id,
                                                      "Name": plan.charge_name, **stamps})
                   for charge in line.charges]
        lines.append(PlanLine(rate_plan, plan, charges))
    sub.lines = lines
    moved = {old.id: new.id for old, new in replace.items()}
    for order in sub.orders:
        if world.is_live(order) and order["product_rate_plan_id"] in moved:
            order["product_rate_plan_id"] = moved[order["product_rate_plan_id"]]
            order["subscription_id"] = version_id
    return record
