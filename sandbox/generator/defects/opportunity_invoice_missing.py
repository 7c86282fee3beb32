"""A Closed Won opportunity whose invoice number is no posted Zuora invoice."""

from sandbox.generator.hosts import running, term_invoice, term_opportunity
from sandbox.generator.world_model import World

RULE_ID = "opportunity_invoice_missing"


def inject(world: World, instance: int) -> str:
    """Give a booked opportunity an invoice number that Zuora never posted (unknown, or only a draft)."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_start=world.days_ago(30, 300))
    opp = term_opportunity(sub)
    number = world.ids.invoice_number()
    opp["Invoice_Number__c"] = number
    if instance % 2:
        draft = dict(term_invoice(sub).record, Id=world.ids.zuora(), InvoiceNumber=number, Status="Draft",
                     Balance=0.0)
        world.add("zuora/Invoice", draft)
    return opp["Id"]
