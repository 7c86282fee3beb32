"""The current license of an SM subscription has other seats than Zuora (not re-issued after an add-on), or none."""

from sandbox.generator.hosts import Host, current_license, running
from sandbox.generator.provisioning import sub_license
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Change the seats of the current license, leave them empty, or drop the license issued for a seat add-on."""
    if instance % 3 == 2:
        sub = running(world, "SM", cloud="No", license_file=True, term_months=12,
                      term_start=world.days_ago(100, 300), addon="update", addon_on=world.days_ago(10, 60))
        world.drop(current_license(world, sub))
        return sub.name
    sub = running(world, "SM", license_file=True)
    current = current_license(world, sub)
    if instance % 4 == 3:
        current["users_count"] = None
        return sub.name
    change = world.rng.randint(1, 10)
    current["users_count"] += change if current["users_count"] <= change or world.chance(0.5) else -change
    return sub.name


def fix(world: World, host: Host) -> None:
    """Issue a license with the purchased seats, for the rest of the term."""
    sub = host.sub
    if not sub.in_force(world.as_of):
        return  # ended meanwhile: nothing left to license
    sub_license(world, sub, world.as_of, sub.term_end, sub.seats(world.as_of), sub.latest,
                previous=sub.current_license(world.as_of))
