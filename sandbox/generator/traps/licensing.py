"""Licensing near-misses: trial and expired licenses, licenses ending with the term, seat overage allowed."""

from sandbox.generator.clock import add_months, days
from sandbox.generator.hosts import running, term_ending
from sandbox.generator.provisioning import license_record, trial_license
from sandbox.generator.world_model import World


def trial_and_expired_licenses(world: World, instance: int) -> None:
    """Trial licenses (one with invalid dates) and an expired license without a subscription."""
    sub = running(world, "SM")
    customer, as_of = sub.customer, world.as_of
    trial_license(world, customer, days(as_of, -10), days(as_of, 20))
    trial_license(world, customer, days(as_of, -3), days(as_of, -3))
    start = world.days_ago(400, 500)
    license_record(world, customer, start, days(start, 365), 25)


def license_ending_with_term(world: World, instance: int) -> None:
    """A legacy license that expires within 30 days, on the term's end."""
    running(world, "SM", cloud="No", license_file=True, term_months=12, term_start=term_ending(world, 3, 25))


def seat_overage_allowed(world: World, instance: int) -> None:
    """More users than seats with QSR on, or only on an older seat link."""
    if instance % 2:
        running(world, "SM", cloud="Yes", qsr="No", seat_overage="older")
    else:
        running(world, "SM", cloud="Yes", qsr="Yes", seat_overage="qsr")


def multi_year_legacy_license(world: World, instance: int) -> None:
    """A three-year legacy subscription: a first-year license far from expiry, or the next slice issued early."""
    first_year_end = days(world.as_of, world.rng.randint(65, 300) if instance % 2 else world.rng.randint(5, 25))
    running(world, "SM", cloud="No", license_file=True, term_months=36, prior_terms=0,
            term_start=add_months(first_year_end, -12))
