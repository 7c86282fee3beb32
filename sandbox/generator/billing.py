"""Zuora invoices and invoice items for every billed event of a subscription."""

from __future__ import annotations

import datetime as dt

from sandbox.generator.clock import add_months, days, iso
from sandbox.generator.world_model import Event, Invoice, Sub, World

TAX_RATES = {"USD": 0.0, "EUR": 0.19, "GBP": 0.2}
NET_DAYS = 30
RECENT_DAYS = 25  # a term begun this recently may not be invoiced yet


def event_cents(sub: Sub, event: Event) -> list[int]:
    """The amount of each charge an event bills, in cents of the account's currency."""
    currency, years = sub.account["Currency"], sub.spec.term_months / 12 if not sub.spec.evergreen else 1.0
    amounts = []
    for charge in event.charges:
        yearly = charge.quantity * charge.plan.cents(currency)
        if charge.plan.charge_type != "Recurring":
            amounts.append(yearly)
        elif charge.prorated:
            amounts.append(round(yearly * (charge.end - charge.start).days / 365) if charge.end else yearly)
        else:
            amounts.append(round(yearly * years))
    return amounts


def post_invoice(world: World, sub: Sub, event: Event, on: dt.date, status: str = "Posted") -> Invoice:
    """Write an invoice dated `on` for the charges of `event` and attach it to `sub`."""
    amounts = event_cents(sub, event)
    without_tax = sum(amounts)
    total = round(without_tax * (1 + TAX_RATES[sub.account["Currency"]]))
    due = days(on, NET_DAYS)
    unpaid = status == "Posted" and due >= days(world.as_of, -RECENT_DAYS) and world.chance(0.35)
    stamps = world.zuora_stamps(on)
    record = world.add("zuora/Invoice", {
        "Id": world.ids.zuora(), "AccountId": sub.invoice_owner["Id"], "InvoiceNumber": world.ids.invoice_number(),
        "InvoiceDate": iso(on), "DueDate": iso(due), "Status": status, "Amount": total / 100,
        "AmountWithoutTax": without_tax / 100, "Balance": total / 100 if unpaid else 0.0, **stamps,
    })
    items = []
    for charge, cents in zip(event.charges, amounts, strict=True):
        start = on if charge.plan.charge_type == "Recurring" else charge.start
        end = charge.end or add_months(start, 12)
        items.append(world.add("zuora/InvoiceItem", {
            "Id": world.ids.zuora(), "InvoiceId": record["Id"], "SubscriptionId": event.version["Id"],
            "RatePlanChargeId": charge.record["Id"], "ProductRatePlanChargeId": charge.plan.charge_id,
            "SKU": charge.plan.sku, "ChargeName": charge.plan.charge_name, "ChargeAmount": cents / 100,
            "Quantity": charge.quantity, "ServiceStartDate": iso(start),
            "ServiceEndDate": iso(max(start, days(end, -1))), **stamps,
        }))
    invoice = Invoice(record, items)
    sub.invoices.append(invoice)
    return invoice


def invoice_subscription(world: World, sub: Sub) -> None:
    """Invoice every event of `sub` that has started by `as_of` (evergreen ones every year)."""
    spec, as_of = sub.spec, world.as_of
    if not spec.live:
        return
    recent = days(as_of, -RECENT_DAYS)
    for event in sub.events:
        if event.on > as_of or (event.on > recent and not spec.invoice_recent):
            continue
        if world.chance(0.02):
            post_invoice(world, sub, event, event.on, "Canceled")
        event.invoice = post_invoice(world, sub, event, event.on)
    if spec.evergreen:
        first = sub.events[0]
        year = 1
        while (anniversary := add_months(spec.first_start, 12 * year)) <= min(as_of, recent):
            post_invoice(world, sub, first, anniversary)
            year += 1


def post_booking_invoice(world: World, sub: Sub, number: str, cents: int, on: dt.date) -> Invoice:
    """Post invoice `number` of a booking worth `cents` without tax, on the base plan of `sub`, paid on posting."""
    line = next(line for line in sub.lines if line.plan.is_base)
    currency, plan = sub.account["Currency"], line.plan
    stamps = world.zuora_stamps(on)
    record = world.add("zuora/Invoice", {
        "Id": world.ids.zuora(), "AccountId": sub.invoice_owner["Id"], "InvoiceNumber": number,
        "InvoiceDate": iso(on), "DueDate": iso(days(on, NET_DAYS)), "Status": "Posted",
        "Amount": round(cents * (1 + TAX_RATES[currency])) / 100, "AmountWithoutTax": cents / 100, "Balance": 0.0,
        **stamps,
    })
    end = sub.term_end or add_months(on, 12)
    item = world.add("zuora/InvoiceItem", {
        "Id": world.ids.zuora(), "InvoiceId": record["Id"], "SubscriptionId": sub.latest["Id"],
        "RatePlanChargeId": line.charges[-1]["Id"], "ProductRatePlanChargeId": plan.charge_id, "SKU": plan.sku,
        "ChargeName": plan.charge_name, "ChargeAmount": cents / 100,
        "Quantity": max(1, round(cents / plan.cents(currency))), "ServiceStartDate": iso(on),
        "ServiceEndDate": iso(max(on, days(end, -1))), **stamps,
    })
    invoice = Invoice(record, [item])
    sub.invoices.append(invoice)
    return invoice
