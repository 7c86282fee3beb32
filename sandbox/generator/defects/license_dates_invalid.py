"""A non-trial license that starts on or after the day it expires."""

from sandbox.generator.clock import days, iso
from sandbox.generator.hosts import Host, running
from sandbox.generator.provisioning import sub_license
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Issue an extra license with invalid dates beside the subscription's valid license or activation."""
    variant = instance % 3
    if variant == 2:
        sub = running(world, "SM", cloud="Yes", license_file=False)
    else:
        sub = running(world, "SM", license_file=True)
    starts = days(world.as_of, -world.rng.randint(1, 20))
    expires = starts if variant == 0 else days(starts, -world.rng.randint(30, 300))
    bad = sub_license(world, sub, starts, expires, sub.seats(world.as_of), sub.latest)
    return str(bad["id"])


def fix(world: World, host: Host) -> None:
    """Regenerate the license with valid dates: it runs to the end of the term."""
    host.find("customersdot/licenses", "id", host.subject)["expires_at"] = iso(host.sub.term_end)
