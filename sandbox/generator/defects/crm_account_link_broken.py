"""A Zuora account billing a paid subscription whose CrmId names no live Salesforce account."""

from sandbox.generator.crm import sf_account
from sandbox.generator.hosts import Host, running
from sandbox.generator.ids import SF_ACCOUNT
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Empty the CrmId, or point it (and CustomersDot's link alike) at a missing or deleted account."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3])
    account, billing = sub.account, sub.billing_account
    variant = instance % 4
    if variant == 0:
        account["CrmId"] = None
        return account["AccountNumber"]
    if variant == 2:
        gone = sf_account(world, account["Name"], sub.customer.sf_account["BillingCountry"], "Customer",
                          sub.customer.since, deleted=True)["Id"]
    else:
        gone = world.ids.salesforce(SF_ACCOUNT)
    account["CrmId"] = gone[:15] if variant == 3 else gone
    billing["salesforce_account_id"] = gone
    return account["AccountNumber"]


def fix(world: World, host: Host) -> None:
    """Billing Ops sets the customer's Salesforce account on the Zuora account; CustomersDot follows."""
    sub = host.sub
    customer = sub.customer
    sub.account["CrmId"] = customer.crm_id
    sub.billing_account["salesforce_account_id"] = {"same": customer.crm_id, "survivor": customer.sf_account["Id"],
                                                    "empty": None}[customer.spec.billing_sf]
