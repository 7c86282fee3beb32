"""A subscription renewed under a new name (or a new billing entity) without the renewal link."""

from sandbox.generator.hosts import Host, customer_with
from sandbox.generator.world_model import World


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
