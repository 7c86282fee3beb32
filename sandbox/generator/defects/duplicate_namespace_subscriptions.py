"""Two paid SaaS subscriptions in force on the same GitLab.com group (a purchase made twice)."""

from sandbox.generator.hosts import Host, customer_with, set_namespace
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Build a customer with two SaaS subscriptions and put the second on the first one's group."""
    line = {"state": "running", "deployment": "SaaS", "namespace_on": "both"}
    first, second = customer_with(world, line, line)
    set_namespace(second, first.namespace, on_sub=instance % 2 == 0)
    if instance % 2:
        set_namespace(second, None, on_orders=False)
    return first.namespace[0]


def fix(world: World, host: Host) -> None:
    """Move the second purchase back to its own group, in Zuora and on its orders."""
    second = host.subs[1]
    set_namespace(second, second.namespace)
