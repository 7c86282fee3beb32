"""Catalog near-misses: subscriptions on plans retired after their term started."""

from sandbox.generator.clock import days
from sandbox.generator.hosts import running
from sandbox.generator.world_model import World


def retired_after_term_start(world: World, instance: int) -> None:
    """A one-year term sold on the promotional plan before it ended, or a three-year term on the legacy plan."""
    catalog = world.catalog
    if instance % 2:
        running(world, "SM", term_months=36, term_start=days(catalog.legacy_end, -world.rng.randint(10, 200)))
        return
    low = max(catalog.promo_start, days(world.as_of, -360))
    start = days(low, world.rng.randrange((catalog.promo_end - low).days))
    running(world, "SaaS", tier="Premium", term_months=12, term_start=start, era="promo")
