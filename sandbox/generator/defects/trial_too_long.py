"""A trial order in effect that lasts more than 30 days (or has no end)."""

import datetime as dt

from sandbox.generator.clock import days, iso
from sandbox.generator.hosts import Host, running, subject_order_end
from sandbox.generator.provisioning import order, trial_order
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Add a long trial on the customer's group: 45–120 days, open-ended, or flagged on a paid plan id."""
    sub = running(world, "SaaS")
    start = world.days_ago(35, 80)
    variant = instance % 3
    if variant == 2:
        trial = order(world, sub.customer, sub.base_plans()[0].id, start, days(world.as_of, 20), 1,
                      namespace=sub.namespace, trial=True)
    else:
        length = None if variant == 1 else (world.as_of - start).days + world.rng.randint(5, 40)
        trial = trial_order(world, sub.customer, start, length, sub.namespace)
    return str(trial["id"])


def fix(world: World, host: Host) -> None:
    """Cut the trial back to 30 days."""
    trial = host.find("customersdot/orders", "id", host.subject)
    trial["end_date"] = iso(days(dt.date.fromisoformat(trial["start_date"]), 30))


lapse = subject_order_end  # its finding lapses when its order ends (sandbox.generator.nights)
