"""A Closed Won opportunity whose amount is far from its invoice's amount without tax."""

from sandbox.generator.hosts import Host, running, term_invoice, term_opportunity
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Scale the opportunity amount by 15–50% up or down against its posted invoice."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_start=world.days_ago(30, 300))
    invoice, opp = term_invoice(sub).record, term_opportunity(sub)
    factor = 1 + world.rng.uniform(0.15, 0.5) * (1 if instance % 2 else -1)
    opp["Invoice_Number__c"] = invoice["InvoiceNumber"]
    opp["Amount"] = round(invoice["AmountWithoutTax"] * factor, 2)
    return opp["Id"]


def fix(world: World, host: Host) -> None:
    """Reconcile the booking with the invoice: the opportunity amount is the amount invoiced without tax."""
    opp = host.find("salesforce/Opportunity", "Id", host.subject)
    opp["Amount"] = host.find("zuora/Invoice", "InvoiceNumber", opp["Invoice_Number__c"])["AmountWithoutTax"]
