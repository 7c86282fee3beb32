"""An order whose term differs from the subscription's: shifted dates, no end date, or a cancellation not synced."""

from sandbox.generator.clock import days, iso
from sandbox.generator.hosts import Host, customer_with, running, shift, subject_order_end
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Give the base order of a termed subscription in force another (start, end) than Zuora's, or no end."""
    deployment = ("SaaS", "SM")[instance % 2]
    variant = instance % 3
    if variant == 2:
        sub = customer_with(world, {"state": "cancelling", "deployment": deployment, "term_months": 12,
                                    "term_start": world.days_ago(30, 250),
                                    "cancel_on": days(world.as_of, world.rng.randint(20, 60))})[-1]
        order = sub.base_order()
        order["end_date"] = iso(sub.term_end)
        return str(order["id"])
    sub = running(world, deployment, term_months=12, term_start=world.days_ago(30, 250))
    order = sub.base_order()
    if instance % 4 == 3:
        order["end_date"] = None
    elif variant == 0:
        order["end_date"] = shift(order["end_date"], world.rng.randint(20, 90))
    else:
        order["start_date"] = shift(order["start_date"], -world.rng.randint(1, 30))
    return str(order["id"])


def fix(world: World, host: Host) -> None:
    """Re-sync the order's term from Zuora."""
    order, sub = host.find("customersdot/orders", "id", host.subject), host.sub
    order["start_date"], order["end_date"] = sub.latest["TermStartDate"], iso(sub.end)


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
