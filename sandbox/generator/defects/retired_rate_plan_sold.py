"""A subscription in force sold on a rate plan retired before its term started."""

from sandbox.generator.hosts import Host, running
from sandbox.generator.subscriptions import replace_plans
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Build a subscription whose latest term uses the legacy (retired) plan of its product."""
    sub = running(world, ("SaaS", "SM", "Dedicated")[instance % 3], term_months=12,
                  term_start=world.days_ago(10, 300), era="legacy")
    return sub.name


def fix(world: World, host: Host) -> None:
    """Amend the subscription onto the current plan of its product; CustomersDot re-syncs its orders."""
    sub, catalog = host.sub, world.catalog
    retired = {line.plan for line in sub.lines if line.plan.is_base and line.plan.era == "legacy"}
    replace_plans(world, sub, {plan: catalog.plan(plan.role, "current", plan.term_months) for plan in retired},
                  world.as_of)


def reopen(world: World, host: Host) -> None:
    """Amend the subscription back onto the retired plan (a renewal quoted from an old template)."""
    sub, catalog = host.sub, world.catalog
    current = {line.plan for line in sub.lines if line.plan.is_base and line.plan.era == "current"}
    replace_plans(world, sub, {plan: catalog.plan(plan.role, "legacy", plan.term_months) for plan in current},
                  world.as_of)
