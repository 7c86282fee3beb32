"""Provisioning near-misses: trials within limits, free groups, add-on groups, stale version ids, drafts."""

from sandbox.generator.clock import days
from sandbox.generator.hosts import customer_with, running
from sandbox.generator.provisioning import FREE_PLAN, TRIAL_PLANS, order, trial_order
from sandbox.generator.world_model import World


def trials_within_limits(world: World, instance: int) -> None:
    """A 30-day trial in effect, long trials that ended, and an open-ended free group."""
    sub = running(world, "SaaS")
    customer, as_of = sub.customer, world.as_of
    trial_order(world, customer, days(as_of, -world.rng.randint(0, 29)), 30, sub.namespace)
    trial_order(world, customer, world.days_ago(150, 300), 90, sub.namespace)
    order(world, customer, TRIAL_PLANS[instance % 2], world.days_ago(200, 300), world.days_ago(1, 100), 1)
    order(world, customer, FREE_PLAN, world.days_ago(400, 900), None, 1,
          namespace=(world.ids.namespace_id(), f"{customer.domain.split('.')[0]}-sandbox"))


def storage_on_paid_namespace(world: World, instance: int) -> None:
    """A storage-only subscription (not paid) on the group of a paid SaaS subscription."""
    customer_with(world, {"state": "running", "deployment": "SaaS"},
                  {"state": "running", "deployment": "Storage", "web": True})


def future_seat_addon(world: World, instance: int) -> None:
    """Seats added from a date after `as_of`: orders and licenses still carry today's seats."""
    running(world, ("SaaS", "SM")[instance % 2], term_months=12, term_start=world.days_ago(30, 200),
            addon=("update", "plan")[instance % 2], addon_on=days(world.as_of, world.rng.randint(5, 30)))


def namespace_on_one_side(world: World, instance: int) -> None:
    """A SaaS group recorded only in Zuora, or only on the orders."""
    running(world, "SaaS", namespace_on=("sub", "order")[instance % 2])


def older_version_ids(world: World, instance: int) -> None:
    """Orders and licenses that still hold an older version id of a renewed subscription."""
    running(world, ("SaaS", "SM")[instance % 2], prior_terms=2, order_version="older")


def not_yet_active(world: World, instance: int) -> None:
    """A paid draft subscription, and one starting after `as_of`: neither is provisioned nor invoiced."""
    customer_with(world, {"state": ("draft", "future")[instance % 2], "deployment": ("SaaS", "SM")[instance % 2]})
