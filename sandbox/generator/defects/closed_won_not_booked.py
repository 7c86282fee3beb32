"""A sales-assisted Closed Won opportunity that never became a Zuora subscription."""

from sandbox.generator.crm import OPPORTUNITY_TYPES, opportunity, quote
from sandbox.generator.hosts import running
from sandbox.generator.world_model import World

RULE_ID = "closed_won_not_booked"


def inject(world: World, instance: int) -> str:
    """Add a Closed Won opportunity whose quote was never sent, names no subscription, or is not primary."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3])
    kind = OPPORTUNITY_TYPES[instance % 3]
    close = world.days_ago(10, 60)
    opp = opportunity(world, sub.customer, f"{sub.customer.name} - {kind}", "Closed Won", kind, close,
                      world.rng.randint(5, 200) * 22800)
    variant = instance % 4
    if variant == 1:
        quote(world, opp, sub.customer, close, status="New", primary=True, kind="renewal")
    elif variant == 2:
        sent = quote(world, opp, sub.customer, close, status="Sent to Z-Billing", primary=True, kind="renewal")
        sent["zqu__Subscription_Name__c"] = world.ids.subscription_name()
    elif variant == 3:
        quote(world, opp, sub.customer, close, status="Sent to Z-Billing", primary=False, kind="addon", sub=sub,
              version=sub.latest)
    return opp["Id"]
