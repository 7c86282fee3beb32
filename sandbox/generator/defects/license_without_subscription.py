"""A valid license that names no Zuora subscription (an NFR or partner license, or a typo)."""

from sandbox.generator.clock import days, iso
from sandbox.generator.hosts import Host, running
from sandbox.generator.provisioning import license_record
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Issue a non-trial license, valid beyond `as_of`, without a subscription name or with an unknown one."""
    sub = running(world, "SM")
    start = world.days_ago(30, 200)
    name = world.ids.subscription_name() if instance % 2 else None
    stray = license_record(world, sub.customer, start, days(start, 365), world.rng.randint(5, 100),
                           subscription=(world.ids.zuora() if name else None, name))
    return str(stray["id"])


def fix(world: World, host: Host) -> None:
    """Revoke the stray license: it expires today."""
    stray = host.find("customersdot/licenses", "id", host.subject)
    stray["expires_at"] = min(stray["expires_at"], iso(world.as_of))


def lapse(host: Host) -> str:
    """The license's expiry: from then on the rule no longer examines it."""
    return host.find("customersdot/licenses", "id", host.subject)["expires_at"]
