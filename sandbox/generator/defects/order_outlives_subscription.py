"""An order still active after its subscription ended (expired term, or cancellation not synced)."""

from sandbox.generator.clock import add_months, iso
from sandbox.generator.hosts import Host, customer_with, ended, subject_order_end
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Keep the base order of an ended subscription active past `as_of`."""
    deployment = ("SaaS", "SM")[instance % 2]
    if instance % 3 == 2:
        start = world.days_ago(200, 300)
        sub = customer_with(world, {"state": "cancelled", "deployment": deployment, "term_months": 12,
                                    "term_start": start, "cancel_on": world.days_ago(10, 60)})[-1]
        end = sub.term_end
    else:
        sub = ended(world, deployment, world.days_ago(10, 200))
        end = add_months(sub.term_end, 12)
    order = sub.base_order()
    order["end_date"] = iso(end)
    return str(order["id"])


def fix(world: World, host: Host) -> None:
    """End the order when its subscription ended."""
    host.find("customersdot/orders", "id", host.subject)["end_date"] = iso(host.sub.end)


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
