"""A paid self-managed subscription with neither a current license nor a cloud activation."""

from sandbox.generator.clock import days
from sandbox.generator.hosts import running
from sandbox.generator.provisioning import license_record
from sandbox.generator.world_model import World

RULE_ID = "sm_subscription_without_license"


def inject(world: World, instance: int) -> str:
    """Drop the licenses (and activation) of an SM subscription; at most a trial license is left."""
    variant = instance % 3
    sub = running(world, "SM", cloud="Yes" if variant == 1 else "No", license_file=True)
    world.drop(*sub.licenses, *sub.activations)
    if variant == 2:
        start = days(world.as_of, -5)
        license_record(world, sub.customer, start, days(start, 30), sub.spec.seats, trial=True,
                       subscription=(sub.latest["Id"], sub.name))
    return sub.name
