"""A recent invoice item whose SKU is not the SKU of its product in the catalog, or is empty."""

import datetime as dt

from sandbox.generator.clock import days
from sandbox.generator.hosts import Host, running, term_invoice
from sandbox.generator.world_model import World

INVOICE_DAYS = 365  # the rule examines invoices dated within 365 days before D


def inject(world: World, instance: int) -> str:
    """Rewrite the SKU of one item of the latest term's invoice (another product's, an old code, or none)."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_months=12,
                  term_start=world.days_ago(20, 300), invoice_recent=True)
    item = term_invoice(sub).items[0]
    if instance % 4 == 3:
        item["SKU"] = None
    elif instance % 2:
        item["SKU"] = next(p.sku for p in world.catalog.plans if p.sku != item["SKU"])
    else:
        item["SKU"] = f"{item['SKU']}-OLD"
    return item["Id"]


def fix(world: World, host: Host) -> None:
    """Correct the invoice item's SKU to the catalog's."""
    item = host.find("zuora/InvoiceItem", "Id", host.subject)
    item["SKU"] = next(p.sku for p in world.catalog.plans if p.charge_id == item["ProductRatePlanChargeId"])


def lapse(host: Host) -> dt.date:
    """The day the item's invoice falls out of the rule's 365 days."""
    item = host.find("zuora/InvoiceItem", "Id", host.subject)
    invoiced = host.find("zuora/Invoice", "Id", item["InvoiceId"])["InvoiceDate"]
    return days(dt.date.fromisoformat(invoiced), INVOICE_DAYS + 1)
