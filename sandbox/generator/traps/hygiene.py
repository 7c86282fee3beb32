"""Hygiene near-misses: renewal errors that cannot fail, renewals that are linked, churn without a successor."""

from sandbox.generator.clock import days
from sandbox.generator.hosts import customer_with, ended, running, term_ending
from sandbox.generator.world_model import World

RENEWAL_ERROR = "RENEWAL_ERROR: card declined, customer notified"


def renewal_error_exempt(world: World, instance: int) -> None:
    """RENEWAL_ERROR on a term ending in over 30 days, or on a cancelled subscription ending soon."""
    if instance % 2 == 0:
        running(world, "SaaS", auto_renew=True, term_months=12, term_start=term_ending(world, 60, 300),
                notes=RENEWAL_ERROR)
        return
    start = term_ending(world, 15, 25)
    customer_with(world, {"state": "cancelling", "deployment": "SaaS", "auto_renew": True, "term_months": 12,
                          "term_start": start, "cancel_on": days(world.as_of, world.rng.randint(3, 10)),
                          "notes": RENEWAL_ERROR})


def two_plans_without_auto_renew(world: World, instance: int) -> None:
    """Two distinct base plans on a term ending within 30 days, auto-renew off."""
    running(world, ("SaaS", "SM")[instance % 2], second_plan=True, auto_renew=False, term_months=12,
            term_start=term_ending(world, 5, 25))


def churn_without_successor(world: World, instance: int) -> None:
    """A subscription that ended within 60 days and was not renewed."""
    ended(world, ("SaaS", "SM", "Dedicated")[instance % 3], world.days_ago(5, 55))


def linked_renewal(world: World, instance: int) -> None:
    """A renewal under a new name (or billing entity) whose predecessor ended recently, with the link set."""
    customer_with(world, {"state": "running", "deployment": ("SaaS", "SM")[instance % 2], "term_months": 12,
                          "term_start": world.days_ago(5, 50), "prior_terms": 0,
                          "predecessor": ("renewal", "entity")[instance % 2]})
