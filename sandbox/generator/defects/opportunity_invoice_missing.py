"""A Closed Won opportunity whose invoice number is no posted Zuora invoice."""

from sandbox.generator.hosts import Host, running, term_invoice, term_opportunity
from sandbox.generator.world_model import World


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


def fix(world: World, host: Host) -> None:
    """Billing posts the draft invoice, or the opportunity gets the number of the invoice that was posted."""
    opp = host.find("salesforce/Opportunity", "Id", host.subject)
    drafts = [i for i in host.records["zuora/Invoice"]
              if i["InvoiceNumber"] == opp["Invoice_Number__c"] and i["Status"] == "Draft" and world.is_live(i)]
    if drafts:
        drafts[0]["Status"] = "Posted"
    else:
        opp["Invoice_Number__c"] = term_invoice(host.sub).record["InvoiceNumber"]
