"""A CustomersDot billing account linked to another Salesforce account than its Zuora account."""

from sandbox.generator import names
from sandbox.generator.crm import sf_account
from sandbox.generator.hosts import Host, running
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Link the billing account to a different, existing Salesforce account (18- or 15-character id)."""
    sub = running(world, ("SaaS", "SM")[instance % 2])
    other = sf_account(world, names.company(world.rng), sub.customer.sf_account["BillingCountry"], "Prospect",
                       sub.customer.since)["Id"]
    sub.billing_account["salesforce_account_id"] = other[:15] if instance % 2 else other
    return str(sub.billing_account["id"])


def fix(world: World, host: Host) -> None:
    """Sales Ops links the billing account to the customer's Salesforce account."""
    host.sub.billing_account["salesforce_account_id"] = host.sub.customer.sf_account["Id"]
