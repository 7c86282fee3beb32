"""An active order on a product rate plan id that the Zuora catalog does not have."""

from sandbox.generator.hosts import Host, running, subject_order_end
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Point the base order at an unknown plan id, or at the plan's name instead of its id."""
    sub = running(world, ("SaaS", "SM")[instance % 2])
    order = sub.base_order()
    order["product_rate_plan_id"] = world.ids.zuora() if instance % 3 else sub.base_plans()[0].name
    return str(order["id"])


def fix(world: World, host: Host) -> None:
    """Map the order to the subscription's catalog rate plan."""
    host.find("customersdot/orders", "id", host.subject)["product_rate_plan_id"] = host.sub.base_plans()[0].id


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
