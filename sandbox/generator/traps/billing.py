"""Billing near-misses: unpaid invoices that are not overdue or not on an entitlement, old SKUs, recent terms."""

from sandbox.generator.hosts import ended, running, term_invoice
from sandbox.generator.world_model import World


def overdue_after_churn(world: World, instance: int) -> None:
    """An invoice unpaid long past due whose subscription has ended (no active order, license expired)."""
    sub = ended(world, ("SaaS", "SM")[instance % 2], world.days_ago(100, 300), cloud="No")
    invoice = term_invoice(sub).record
    invoice["Balance"] = invoice["Amount"]


def unpaid_not_yet_overdue(world: World, instance: int) -> None:
    """An unpaid invoice of a subscription in force, due less than 30 days ago or later."""
    sub = running(world, ("SaaS", "SM")[instance % 2], term_start=world.days_ago(1, 20), invoice_recent=True)
    invoice = term_invoice(sub).record
    invoice["Balance"] = invoice["Amount"]


def recent_term_not_invoiced(world: World, instance: int) -> None:
    """A subscription started less than 30 days ago and not invoiced yet."""
    running(world, ("SaaS", "SM")[instance % 2], term_start=world.days_ago(0, 20), invoice_recent=False)


def old_invoice_wrong_sku(world: World, instance: int) -> None:
    """A wrong SKU on an invoice more than a year old."""
    sub = running(world, ("SaaS", "SM")[instance % 2], term_months=12, prior_terms=1,
                  term_start=world.days_ago(40, 300))
    first = sub.events[0].invoice
    first.items[0]["SKU"] = f"{first.items[0]['SKU']}-OLD"
