"""A cloud-licensing subscription with a license but no activation under its name."""

from sandbox.generator.hosts import Host, running
from sandbox.generator.provisioning import sub_activation
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Drop the activation of a cloud-licensed SM subscription, or record it without the subscription name."""
    sub = running(world, "SM", cloud="Yes", license_file=True)
    if instance % 2:
        for activation in sub.activations:
            activation["subscription_name"] = None
    else:
        world.drop(*sub.activations)
    return sub.name


def fix(world: World, host: Host) -> None:
    """Record the activation under the subscription name, or send a new activation code."""
    sub = host.sub
    activations = [a for a in sub.activations if world.is_live(a)]
    for activation in activations:
        activation["subscription_name"] = sub.name
    if not activations:
        sub_activation(world, sub)
