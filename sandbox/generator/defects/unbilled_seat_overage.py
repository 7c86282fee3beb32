"""The latest seat link of an SM instance reports more users than paid seats, with QSR off."""

from sandbox.generator.hosts import Host, running
from sandbox.generator.world_model import World


def inject(world: World, instance: int) -> str:
    """Raise the maximum historical user count of the latest seat link above Seats(S)."""
    sub = running(world, "SM", cloud=("Yes", "Offline")[instance % 2], qsr="No", seat_overage=None)
    latest = max(sub.seat_links, key=lambda link: link["report_timestamp"])
    seats = sub.seats(world.as_of)
    latest["max_historical_user_count"] = seats + world.rng.randint(1, 1 + seats // 4)
    latest["active_user_count"] = latest["max_historical_user_count"] - world.rng.randint(0, 1)
    return sub.name


def fix(world: World, host: Host) -> None:
    """Sales turns quarterly seat reconciliation on: the overage will be billed."""
    host.sub.latest["TurnOnSeatReconciliation__c"] = "Yes"
