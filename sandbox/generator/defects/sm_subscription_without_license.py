"""A paid self-managed subscription with neither a current license nor a cloud activation."""

from sandbox.generator.clock import days
from sandbox.generator.hosts import Host, running
from sandbox.generator.provisioning import license_record, sub_activation, sub_license
from sandbox.generator.world_model import World


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


def fix(world: World, host: Host) -> None:
    """Issue a license for the rest of the term (and the activation code of a cloud-licensed subscription)."""
    sub = host.sub
    if not sub.in_force(world.as_of):
        return  # ended meanwhile: nothing left to license
    sub_license(world, sub, world.as_of, sub.term_end, sub.seats(world.as_of), sub.latest)
    if sub.spec.cloud in ("Yes", "Offline"):
        sub_activation(world, sub)
