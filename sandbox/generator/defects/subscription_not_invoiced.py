"""A paid subscription in force for over 30 days without a posted invoice for its term."""

from sandbox.generator.billing import post_invoice
from sandbox.generator.hosts import Host, latest_term, running
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Drop (or cancel) the invoices of the latest term and the invoice numbers that pointed at them."""
    variant = instance % 3
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_months=12,
                  term_start=world.days_ago(45, 300), prior_terms=1 if variant == 1 else 0)
    start = sub.latest["TermStartDate"]
    unbilled = [inv for inv in sub.invoices if inv.record["InvoiceDate"] >= start]
    numbers = {inv.record["InvoiceNumber"] for inv in unbilled}
    for event in sub.events:
        if event.opportunity and event.opportunity["Invoice_Number__c"] in numbers:
            event.opportunity["Invoice_Number__c"] = None
    for invoice in unbilled:
        if variant == 2:
            invoice.record["Status"] = "Canceled"
        else:
            world.drop(invoice.record, *invoice.items)
    return sub.name


def fix(world: World, host: Host) -> None:
    """Billing invoices the term today."""
    sub = host.sub
    post_invoice(world, sub, latest_term(sub), world.as_of)
