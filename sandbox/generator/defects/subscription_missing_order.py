"""A paid subscription in force with no active order: none made, one ended early, or only a trial."""

from sandbox.generator.clock import days, iso
from sandbox.generator.hosts import Host, running
from sandbox.generator.provisioning import sub_orders, trial_order
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Leave a SaaS or SM subscription in force without an active order."""
    sub = running(world, ("SaaS", "SM")[instance % 2], term_start=world.days_ago(60, 300))
    variant = instance % 3
    if variant == 1:
        for order in sub.orders:
            order["end_date"] = iso(world.days_ago(5, 40))
        return sub.name
    world.drop(*sub.orders)
    if variant == 2:
        trial_order(world, sub.customer, days(world.as_of, -10), 30, sub.namespace)
    return sub.name


def fix(world: World, host: Host) -> None:
    """Extend the orders that ended early, or re-create the orders from Zuora."""
    sub = host.sub
    ended = [order for order in sub.orders if world.is_live(order)]
    for order in ended:
        order["end_date"] = iso(sub.end)
    if not ended:
        sub_orders(world, sub)
