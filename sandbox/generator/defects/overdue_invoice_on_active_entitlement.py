"""An invoice unpaid long past due while its subscription is still provisioned."""

from sandbox.generator.hosts import Host, running, term_invoice
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Leave all or half of the latest term's invoice unpaid, due more than 30 days ago."""
    sub = running(world, ("SaaS", "SM")[instance % 2], term_months=12, term_start=world.days_ago(75, 300))
    invoice = term_invoice(sub).record
    invoice["Balance"] = invoice["Amount"] if instance % 3 else round(invoice["Amount"] / 2, 2)
    return invoice["InvoiceNumber"]


def fix(world: World, host: Host) -> None:
    """The customer pays the invoice."""
    host.find("zuora/Invoice", "InvoiceNumber", host.subject)["Balance"] = 0.0
