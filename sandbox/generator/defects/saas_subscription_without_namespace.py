"""A paid SaaS subscription whose orders and Zuora record name no GitLab.com namespace."""

from sandbox.generator.hosts import Host, running, set_namespace
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Clear the namespace of a SaaS subscription in Zuora and on all its orders."""
    sub = running(world, "SaaS", storage=instance % 2 == 1)
    set_namespace(sub, None)
    return sub.name


def fix(world: World, host: Host) -> None:
    """The customer links the group: CustomersDot records it on the orders."""
    set_namespace(host.sub, host.sub.namespace, on_sub=False)
