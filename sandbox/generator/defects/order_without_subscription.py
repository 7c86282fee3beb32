"""An active order naming a subscription that Zuora does not have."""

from sandbox.generator.clock import days, iso
from sandbox.generator.hosts import Host, fresh_namespace, running, subject_order_end
from sandbox.generator.provisioning import order
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Add an active order whose subscription name is no Zuora subscription."""
    sub = running(world, "SaaS")
    start = world.days_ago(30, 200)
    version_id = world.ids.zuora() if instance % 2 == 0 else None
    stray = order(world, sub.customer, sub.base_plans()[0].id, start, days(start, 365), world.rng.randint(1, 50),
                  billing=sub.billing_account, namespace=fresh_namespace(world, sub),
                  subscription=(version_id, world.ids.subscription_name()))
    return str(stray["id"])


def fix(world: World, host: Host) -> None:
    """End the stray order today."""
    stray = host.find("customersdot/orders", "id", host.subject)
    stray["end_date"] = min(stray["end_date"], iso(world.as_of))


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
