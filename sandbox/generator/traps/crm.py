"""CRM near-misses: id forms that resolve, opportunities booked by reference only, exempt opportunities."""

from sandbox.generator.crm import opportunity
from sandbox.generator.hosts import running, term_invoice, term_opportunity
from sandbox.generator.world_model import World


def crm_id_forms(world: World, instance: int) -> None:
    """A 15-character CrmId, or one of an account merged twice, with CustomersDot holding the survivor."""
    running(world, ("SaaS", "SM")[instance % 2], customer={"crm": ("id15", "merged2")[instance % 2],
                                                           "billing_sf": "survivor"})


def booked_by_reference_only(world: World, instance: int) -> None:
    """An opportunity booked only through the subscription's OpportunityId__c (a URL or 15 characters)."""
    sub = running(world, "SM", web=False, opp_ref=("url", "id15")[instance % 2])
    event = sub.events[-1]
    if event.quote is not None:
        world.drop(event.quote)


def exempt_opportunities(world: World, instance: int) -> None:
    """Unbooked Closed Won opportunities that the rules exempt, and ignored or lost ones with bad invoices."""
    sub = running(world, "SaaS")
    customer, name = sub.customer, sub.customer.name
    opportunity(world, customer, f"{name} - Add-On", "Closed Won", "Add-On Business", world.days_ago(0, 5),
                91200, invoice_number=world.ids.invoice_number())
    opportunity(world, customer, f"{name} - Free", "Closed Won", "New Business", world.days_ago(20, 90), 0)
    opportunity(world, customer, f"{name} - Web", "Closed Won", "New Business", world.days_ago(20, 90), 22800,
                web=True)
    for stage, deleted in (("10-Duplicate", False), ("Closed Won", True), ("8-Closed Lost", False)):
        opportunity(world, customer, f"{name} - Renewal", stage, "Renewal", world.days_ago(20, 90), 45600,
                    invoice_number=world.ids.invoice_number(), deleted=deleted)


def amount_within_tolerance(world: World, instance: int) -> None:
    """An opportunity whose amount is off its invoice by a little less than the tolerance."""
    sub = running(world, ("SaaS", "SM")[instance % 2], term_start=world.days_ago(30, 300), seats=1 + instance * 40)
    invoice, opp = term_invoice(sub).record, term_opportunity(sub)
    cents = round(invoice["AmountWithoutTax"] * 100)
    opp["Invoice_Number__c"] = invoice["InvoiceNumber"]
    opp["Amount"] = (cents + (1 if instance % 2 else -1) * max(100, cents // 100) * 6 // 10) / 100
