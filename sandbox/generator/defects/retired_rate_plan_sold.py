"""A subscription in force sold on a rate plan retired before its term started."""

from sandbox.generator.hosts import running
from sandbox.generator.world_model import World

RULE_ID = "retired_rate_plan_sold"


def inject(world: World, instance: int) -> str:
    """Build a subscription whose latest term uses the legacy (retired) plan of its product."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_months=12,
                  term_start=world.days_ago(10, 300), era="legacy")
    return sub.name
