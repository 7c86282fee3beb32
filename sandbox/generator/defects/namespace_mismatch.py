"""A SaaS order provisioned on another group than the one Zuora names."""

from sandbox.generator.hosts import Host, fresh_namespace, running
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Move the base order of a SaaS subscription to a group that no subscription uses."""
    sub = running(world, "SaaS", namespace_on="both")
    order = sub.base_order()
    namespace = fresh_namespace(world, sub)
    order["gl_namespace_id"] = namespace[0]
    if instance % 2 == 0:
        order["gl_namespace_name"] = namespace[1]
    return sub.name


def fix(world: World, host: Host) -> None:
    """Re-associate the order with the group Zuora names."""
    order = host.sub.base_order()
    order["gl_namespace_id"], order["gl_namespace_name"] = host.sub.namespace
