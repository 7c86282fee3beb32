"""How the three systems change from one night to the next, applied to a world in memory.

Two kinds of change. `keep_up` is what the systems do on their own as the days pass, without which a clean
world would not stay clean when its `as_of` moves on: subscriptions that start are provisioned, future seat
add-ons take effect, the next slice of a multi-year license is issued before the current one runs out,
recently won deals are booked, invoices are paid before they fall overdue, and billing invoices the terms it
had not invoiced yet. `churn` is the day's business that no rule is about: new customers and prospects, seat
link reports, payments, pipeline moves, contact edits, and deletions (cancelled invoices, purged
opportunities, ended trials). Neither changes what the audit finds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sandbox.generator import names
from sandbox.generator.billing import RECENT_DAYS, post_booking_invoice, post_invoice
from sandbox.generator.clock import add_months, days, iso
from sandbox.generator.crm import OPEN_STAGES, OPPORTUNITY_TYPES, quote
from sandbox.generator.hosts import customer_with
from sandbox.generator.population import build_customer
from sandbox.generator.provisioning import TRIAL_PLANS, provision_subscription, slice_end, sub_license
from sandbox.generator.specs import sample_customer
from sandbox.generator.world_model import Customer, Record, Sub, World

LICENSE_NOTICE_DAYS = 30  # the next license slice is issued before the current one is this close to expiry
OVERDUE_DAYS = 30
BOOKING_DAYS = 7
QUOTE_KINDS = dict(zip(OPPORTUNITY_TYPES, ("new", "addon", "renewal"), strict=True))


@dataclass
class Protected:
    """Records that carry a defect: the day's routine must leave them as they are."""

    invoices: set[str] = field(default_factory=set)  # invoice numbers left overdue on purpose
    opportunities: set[str] = field(default_factory=set)  # opportunity ids left unbooked or mismatched
    license_subs: set[str] = field(default_factory=set)  # subscriptions whose license ends early on purpose


def live_license(world: World, sub: Sub, day: dt.date) -> Record | None:
    """The current license of `sub` on `day` among its licenses that still exist."""
    text = iso(day)
    candidates = [lic for lic in sub.licenses if world.is_live(lic) and not lic["trial"]
                  and lic["starts_at"] <= text and lic["starts_at"] < lic["expires_at"]]
    return max(candidates, key=lambda lic: (lic["starts_at"], lic["id"]), default=None)


def keep_up(world: World, previous: dt.date, day: dt.date, protected: Protected) -> None:
    """Apply what the systems do by themselves between the night of `previous` and the night of `day`."""
    subs = [sub for customer in world.customers for sub in customer.subs]
    _start_subscriptions(world, subs, previous, day)
    _apply_addons(world, subs, previous, day)
    _issue_license_slices(world, subs, day, protected)
    _book_recent_wins(world, subs, previous, day, protected)
    _collect_overdue(world, previous, day, protected)
    _catch_up_billing(world, subs, previous, day, protected)


def _start_subscriptions(world: World, subs: list[Sub], previous: dt.date, day: dt.date) -> None:
    """CustomersDot provisions a subscription on the day its term starts (no seat link reported yet)."""
    for sub in subs:
        if previous < sub.term_start <= day and not sub.orders:
            links = len(sub.seat_links)
            provision_subscription(world, sub)
            world.drop(*sub.seat_links[links:])
            del sub.seat_links[links:]


def _apply_addons(world: World, subs: list[Sub], previous: dt.date, day: dt.date) -> None:
    """A seat add-on dated in the future takes effect: the orders get the seats, self-managed a new license."""
    for sub in subs:
        spec = sub.spec
        on = spec.addon_on
        if not (spec.addon and on and previous < on <= day and sub.term_start <= previous and sub.in_force(day)):
            continue
        base = {plan.id for plan in sub.base_plans()}
        for order in sub.orders:
            if world.is_live(order) and order["product_rate_plan_id"] in base:
                order["quantity"] = sub.seats(day, order["product_rate_plan_id"])
        current = live_license(world, sub, on)
        if spec.deployment == "SM" and current is not None:
            event = next(e for e in sub.events if e.kind == "addon")
            sub_license(world, sub, on, slice_end(sub, on), sub.seats(on), event.version, previous=current)


def _issue_license_slices(world: World, subs: list[Sub], day: dt.date, protected: Protected) -> None:
    """The next year of a multi-year license is issued when the current one is about to expire (same seats)."""
    notice = days(day, LICENSE_NOTICE_DAYS)
    for sub in subs:
        term_end = sub.term_end
        if (sub.spec.deployment != "SM" or term_end is None or sub.name in protected.license_subs
                or not sub.in_force(day)):
            continue
        current = live_license(world, sub, day)
        if current is None:
            continue
        expires = dt.date.fromisoformat(current["expires_at"])
        if expires < notice and expires < term_end:
            sub_license(world, sub, day, min(add_months(expires, 12), term_end), current["users_count"], sub.latest,
                        previous=current)


def _book_recent_wins(world: World, subs: list[Sub], previous: dt.date, day: dt.date,
                      protected: Protected) -> None:
    """A won deal that no subscription books yet is booked within a week: quote sent to Z-Billing, invoice posted."""
    booked = {id(event.opportunity) for sub in subs for event in sub.events if event.opportunity}
    customers = {customer.sf_account["Id"]: customer for customer in world.customers}
    posted = {inv["InvoiceNumber"] for inv in world.live("zuora/Invoice") if inv["Status"] == "Posted"}
    for opp in list(world.live("salesforce/Opportunity")):
        if (opp["StageName"] != "Closed Won" or opp["IsDeleted"] or opp["Web_Portal_Purchase__c"]
                or not opp["Amount"] or opp["Type"] not in QUOTE_KINDS or id(opp) in booked
                or opp["Id"] in protected.opportunities):
            continue
        eligible = days(dt.date.fromisoformat(opp["CloseDate"]), BOOKING_DAYS)
        if not previous < eligible <= day:
            continue
        customer = customers[opp["AccountId"]]
        sub = next((s for s in customer.subs if s.in_force(day) and s.base_plans() and not s.spec.excluded), None)
        if sub is None:
            raise LookupError(f"won opportunity {opp['Id']}: its customer has no subscription to book it on")
        quote(world, opp, customer, day, status="Sent to Z-Billing", primary=True, kind=QUOTE_KINDS[opp["Type"]],
              sub=sub, version=sub.latest)
        number = opp["Invoice_Number__c"]
        if number and number not in posted:
            post_booking_invoice(world, sub, number, round(opp["Amount"] * 100), day)


def _collect_overdue(world: World, previous: dt.date, day: dt.date, protected: Protected) -> None:
    """Invoices are paid before they are more than 30 days overdue (dunning works)."""
    low, high = iso(days(previous, -OVERDUE_DAYS)), iso(days(day, -OVERDUE_DAYS))
    for invoice in world.live("zuora/Invoice"):
        if (invoice["Status"] == "Posted" and invoice["Balance"] > 0 and low <= invoice["DueDate"] < high
                and invoice["InvoiceNumber"] not in protected.invoices):
            invoice["Balance"] = 0.0


def _catch_up_billing(world: World, subs: list[Sub], previous: dt.date, day: dt.date,
                      protected: Protected) -> None:
    """Billing invoices what has started: at once, or late (today) once 25 days have passed."""
    recent = days(day, -RECENT_DAYS)
    for sub in subs:
        spec = sub.spec
        if not spec.live or spec.excluded:
            continue
        for event in sub.events:
            if event.invoice is not None or event.on > day or (event.on > recent and not spec.invoice_recent):
                continue
            event.invoice = post_invoice(world, sub, event, event.on if event.on > previous else day)
            opp = event.opportunity
            if opp is not None and not opp["Invoice_Number__c"] and opp["Id"] not in protected.opportunities:
                opp["Invoice_Number__c"] = event.invoice.record["InvoiceNumber"]


def churn(world: World, day: dt.date, population: list[Customer], count: int) -> list[Customer]:
    """The day's ordinary business on the `population` customers, `count` of each kind; returns new customers."""
    _zuora_churn(world, day, population, count)
    _salesforce_churn(world, population, count)
    _customersdot_churn(world, day, population, count)
    return _new_customers(world, day, count)


def _sample(world: World, items: list, count: int) -> list:
    return world.rng.sample(items, min(count, len(items)))


def _zuora_churn(world: World, day: dt.date, population: list[Customer], count: int) -> None:
    """Customers pay invoices not yet overdue; old cancelled invoices are deleted."""
    invoices = [inv for customer in population for sub in customer.subs for inv in sub.invoices
                if world.is_live(inv.record)]
    due = iso(days(day, -OVERDUE_DAYS))
    unpaid = [inv.record for inv in invoices
              if inv.record["Status"] == "Posted" and inv.record["Balance"] > 0 and inv.record["DueDate"] >= due]
    for record in _sample(world, unpaid, count):
        record["Balance"] = 0.0
    cancelled = [inv for inv in invoices if inv.record["Status"] == "Canceled"]
    for invoice in _sample(world, cancelled, count):
        world.drop(invoice.record, *invoice.items)


def _salesforce_churn(world: World, population: list[Customer], count: int) -> None:
    """Deleted opportunities are purged from the recycle bin, some open ones are deleted, others move on a stage."""
    accounts = {customer.sf_account["Id"] for customer in population}
    quoted = {q["zqu__Opportunity__c"] for q in world.live("salesforce/zqu__Quote__c")}
    opps = [o for o in world.live("salesforce/Opportunity") if o["AccountId"] in accounts and o["Id"] not in quoted]
    world.drop(*_sample(world, [o for o in opps if o["IsDeleted"]], count))
    pipeline = [o for o in opps if not o["IsDeleted"] and o["StageName"] in OPEN_STAGES]
    for opp in _sample(world, pipeline, 2 * count):
        if world.chance(0.3):
            opp["IsDeleted"] = True
        elif opp["StageName"] != OPEN_STAGES[-1]:
            opp["StageName"] = OPEN_STAGES[OPEN_STAGES.index(opp["StageName"]) + 1]


def _customersdot_churn(world: World, day: dt.date, population: list[Customer], count: int) -> None:
    """Contacts change, ended trials are deleted, instances report their seats."""
    for customer in _sample(world, population, count):
        contact = customer.contact
        first, last = names.person(world.rng)
        contact.update(first_name=first, last_name=last, email=names.email(first, last, customer.domain))
    contacts = {customer.contact["id"] for customer in population}
    today = iso(day)
    trials = [o for o in world.live("customersdot/orders") if o["customer_id"] in contacts and o["end_date"]
              and o["end_date"] <= today and (o["trial"] or o["product_rate_plan_id"] in TRIAL_PLANS)]
    expired = [lic for lic in world.live("customersdot/licenses")
               if lic["customer_id"] in contacts and lic["trial"] and lic["expires_at"] <= today]
    world.drop(*_sample(world, trials, count), *_sample(world, expired, count))
    reporting = [sub for customer in population for sub in customer.subs
                 if sub.in_force(day) and any(world.is_live(link) for link in sub.seat_links)]
    for sub in _sample(world, reporting, 3 * count):
        _report_seats(world, sub, day)


def _report_seats(world: World, sub: Sub, day: dt.date) -> None:
    """A new seat link from the instance of `sub`, with the same maximum as its latest report."""
    latest = max((link for link in sub.seat_links if world.is_live(link)), key=lambda link: link["report_timestamp"])
    maximum = latest["max_historical_user_count"]
    sub.seat_links.append(world.add("customersdot/license_seat_links", {
        **latest, "id": world.ids.customersdot("license_seat_links"), "zuora_subscription_id": sub.latest["Id"],
        "report_timestamp": world.clock.change("customersdot", day),
        "active_user_count": max(0, maximum - world.rng.randint(0, 1 + maximum // 10)),
        "license_user_count": sub.seats(day), **world.stamps("customersdot", day),
    }))


def _new_customers(world: World, day: dt.date, count: int) -> list[Customer]:
    """New business starting today, and a new prospect; their instances have not reported seats yet."""
    first = len(world.customers)
    for _ in range(count):
        deployment = world.rng.choice(("SaaS", "SaaS", "SaaS", "SM", "SM", "Dedicated"))
        customer_with(world, {"state": "running", "deployment": deployment, "term_start": day, "prior_terms": 0,
                              "invoice_recent": True})
    build_customer(world, sample_customer(world.rng, day, world.catalog, lines=()))
    new = world.customers[first:]
    for sub in _subs(new):
        world.drop(*sub.seat_links)
        sub.seat_links.clear()
    return new


def _subs(customers: Iterable[Customer]) -> list[Sub]:
    return [sub for customer in customers for sub in customer.subs]
