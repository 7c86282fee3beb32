"""A sales-assisted Closed Won opportunity that never became a Zuora subscription."""

from sandbox.generator.crm import OPPORTUNITY_TYPES, opportunity, quote
from sandbox.generator.hosts import Host, running
from sandbox.generator.world_model import World


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


QUOTE_KINDS = dict(zip(OPPORTUNITY_TYPES, ("new", "addon", "renewal"), strict=True))


def fix(world: World, host: Host) -> None:
    """Send the opportunity's quote to Z-Billing against the customer's subscription (a new quote if it had none)."""
    sub = host.sub
    opp = host.find("salesforce/Opportunity", "Id", host.subject)
    quotes = [q for q in host.records["salesforce/zqu__Quote__c"]
              if q["zqu__Opportunity__c"] == opp["Id"] and not q["IsDeleted"]]
    if not quotes:
        quote(world, opp, sub.customer, world.as_of, status="Sent to Z-Billing", primary=True,
              kind=QUOTE_KINDS[opp["Type"]], sub=sub, version=sub.latest)
        return
    quotes[0].update({"zqu__Primary__c": True, "zqu__Status__c": "Sent to Z-Billing",
                      "zqu__Subscription_Name__c": sub.name, "zqu__ZuoraSubscriptionID__c": sub.latest["Id"],
                      "zqu__ZuoraAccountID__c": sub.account["Id"]})
