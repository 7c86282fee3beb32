"""An order whose seats differ from Zuora's, e.g. a mid-term seat add-on never provisioned, or with no quantity."""

from sandbox.generator.hosts import Host, running, subject_order_end
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Change the quantity of the base order away from Seats(S, P), or leave it empty."""
    deployment = ("SaaS", "SM")[instance % 2]
    if instance % 4 == 3:
        order = running(world, deployment).base_order()
        order["quantity"] = None
    elif instance % 3 == 2:
        sub = running(world, deployment, term_months=12, term_start=world.days_ago(100, 300),
                      addon=("update", "plan")[instance % 2], addon_on=world.days_ago(10, 60))
        order = sub.base_order()
        order["quantity"] -= sub.spec.addon_seats
    else:
        sub = running(world, deployment)
        order = sub.base_order()
        change = world.rng.randint(1, 5)
        order["quantity"] += change if order["quantity"] <= change or world.chance(0.5) else -change
    return str(order["id"])


def fix(world: World, host: Host) -> None:
    """Re-sync the order's quantity with the seats Zuora bills."""
    order = host.find("customersdot/orders", "id", host.subject)
    order["quantity"] = host.sub.seats(world.as_of, order["product_rate_plan_id"])


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
