"""A cloud-licensing subscription with a license but no activation under its name."""

from sandbox.generator.hosts import running
from sandbox.generator.world_model import World

RULE_ID = "cloud_licensing_mismatch"


def inject(world: World, instance: int) -> str:
    """Drop the activation of a cloud-licensed SM subscription, or record it without the subscription name."""
    sub = running(world, "SM", cloud="Yes", license_file=True)
    if instance % 2:
        for activation in sub.activations:
            activation["subscription_name"] = None
    else:
        world.drop(*sub.activations)
    return sub.name
