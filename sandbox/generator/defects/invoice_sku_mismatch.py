"""A recent invoice item whose SKU is not the SKU of its product in the catalog."""

from sandbox.generator.hosts import Host, running, term_invoice
from sandbox.generator.world_model import World

RULE_ID = "invoice_sku_mismatch"


def inject(world: World, instance: int) -> str:
    """Rewrite the SKU of one item of the latest term's invoice (another product's, or an old code)."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_months=12,
                  term_start=world.days_ago(20, 300), invoice_recent=True)
    item = term_invoice(sub).items[0]
    other = next(p.sku for p in world.catalog.plans if p.sku != item["SKU"])
    item["SKU"] = other if instance % 2 else f"{item['SKU']}-OLD"
    return item["Id"]


def fix(world: World, host: Host) -> None:
    """Correct the invoice item's SKU to the catalog's."""
    item = host.find("zuora/InvoiceItem", "Id", host.subject)
    item["SKU"] = next(p.sku for p in world.catalog.plans if p.charge_id == item["ProductRatePlanChargeId"])
