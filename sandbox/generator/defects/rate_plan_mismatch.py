"""An order on a catalog rate plan that the subscription no longer has (changed by amendment)."""

from sandbox.generator.hosts import Host, running, subject_order_end
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Point the base order at the other tier's plan, or at another term length of the same tier."""
    deployment = ("SaaS", "SM")[instance % 2]
    sub = running(world, deployment, term_months=12)
    spec, catalog = sub.spec, world.catalog
    if instance % 4 == 3:
        plan = catalog.base_plan(deployment, spec.tier, 36, "current")
    else:
        plan = catalog.base_plan(deployment, "Ultimate" if spec.tier == "Premium" else "Premium", 12, "current")
    order = sub.base_order()
    order["product_rate_plan_id"] = plan.id
    return str(order["id"])


def fix(world: World, host: Host) -> None:
    """Re-sync the order's rate plan from Zuora."""
    host.find("customersdot/orders", "id", host.subject)["product_rate_plan_id"] = host.sub.base_plans()[0].id


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
