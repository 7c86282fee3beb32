"""A subscription renewed under a new name (or a new billing entity) without the renewal link."""

import datetime as dt

from sandbox.generator.clock import days
from sandbox.generator.hosts import Host, customer_with
from sandbox.generator.world_model import World

LOOKBACK_DAYS = 60  # the rule's renewal_lookback_days


def inject(world: World, instance: int) -> str:
    """Build a renewal whose predecessor ended 5–50 days ago, and clear the predecessor's link."""
    previous, _ = customer_with(world, {
        "state": "running", "deployment": ("SaaS", "SM", "Dedicated")[instance % 3], "term_months": 12,
        "term_start": world.days_ago(5, 50), "prior_terms": 0, "predecessor": ("renewal", "entity")[instance % 2],
    })
    previous.latest["Renewal_Subscription__c__c"] = None
    return previous.name


def fix(world: World, host: Host) -> None:
    """Link the renewal on the subscription that ended."""
    previous, renewal = host.subs
    previous.latest["Renewal_Subscription__c__c"] = renewal.name


def lapse(host: Host) -> dt.date:
    """The day the ended subscription leaves the rule's look-back window."""
    return days(host.subs[0].end, LOOKBACK_DAYS + 1)
