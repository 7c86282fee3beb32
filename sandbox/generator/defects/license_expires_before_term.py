"""The current license of an SM subscription ends well before its term (or has already expired)."""

from sandbox.generator.clock import add_months, days, iso
from sandbox.generator.hosts import Host, current_license, running
from sandbox.generator.provisioning import sub_license
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Shorten the current license, or never issue the second year of a multi-year legacy license."""
    variant = instance % 3
    if variant == 2:
        start = add_months(world.days_ago(5, 25), -12)
        sub = running(world, "SM", cloud="No", license_file=True, term_months=36, term_start=start, prior_terms=0)
        world.drop(current_license(world, sub))
        return sub.name
    sub = running(world, "SM", cloud="No", license_file=True, term_months=12, term_start=world.days_ago(60, 250))
    current = current_license(world, sub)
    expires = days(world.as_of, world.rng.randint(5, 25) if variant == 0 else -world.rng.randint(5, 20))
    current["expires_at"] = iso(expires)
    return sub.name


def fix(world: World, host: Host) -> None:
    """Issue a license with the purchased seats, for the rest of the term."""
    sub = host.sub
    if not sub.in_force(world.as_of):
        return  # ended meanwhile: nothing left to license
    sub_license(world, sub, world.as_of, sub.term_end, sub.seats(world.as_of), sub.latest,
                previous=sub.current_license(world.as_of))
