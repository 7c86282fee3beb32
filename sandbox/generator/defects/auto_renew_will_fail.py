"""An auto-renewing subscription ending within 30 days that Zuora cannot renew."""

from sandbox.generator.hosts import Host, running, term_ending
from sandbox.generator.world_model import World

NOTES = ("RENEWAL_ERROR: payment method declined", "Auto-renewal failed (RENEWAL_ERROR): card expired")


def inject(world: World, instance: int) -> str:
    """Build one with a failed renewal in its notes, or with two distinct base plans."""
    two_plans = instance % 3 == 2
    deployment = ("SaaS", "SM")[instance % 2] if two_plans else ("SaaS", "SM", "Dedicated")[instance % 3]
    sub = running(world, deployment, auto_renew=True, term_months=12, term_start=term_ending(world, 3, 25),
                  second_plan=two_plans, notes=None if two_plans else NOTES[instance % 2])
    return sub.name


def fix(world: World, host: Host) -> None:
    """The customer updates the card (the error is cleared), or Sales takes the renewal by hand (auto-renew off)."""
    latest = host.sub.latest
    if "RENEWAL_ERROR" in (latest.get("Notes") or ""):
        latest["Notes"] = None
    else:
        latest["TurnOnAutoRenew__c"], latest["AutoRenew"] = "No", False
