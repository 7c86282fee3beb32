"""The staging tables: the common definitions of rules.md."""

from __future__ import annotations

import datetime as dt
import random
import string

import duckdb
import pytest
from audit_worlds import AS_OF, TERM_END, TERM_START, sf_id18

from checks.lineage import MACROS, staging_sql


@pytest.fixture(scope="module")
def macros() -> duckdb.DuckDBPyConnection:
    """A connection with the staging macros."""
    con = duckdb.connect()
    con.execute(staging_sql(MACROS))
    return con


def id18(con: duckdb.DuckDBPyConnection, value: str | None) -> str | None:
    """staging.sf_id18 of `value`."""
    return con.execute("SELECT staging.sf_id18(?)", [value]).fetchall()[0][0]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("001A0000006Vm9r", "001A0000006Vm9rIAC"),
        ("001A0000006Vm9rIAC", "001A0000006Vm9rIAC"),
        ("001A0000006Vm9riac", "001A0000006Vm9rIAC"),
        (" 001A0000006Vm9r ", "001A0000006Vm9rIAC"),
        ("https://gitlab.my.salesforce.com/001A0000006Vm9r", "001A0000006Vm9rIAC"),
        ("https://gitlab.lightning.force.com/lightning/r/Account/001A0000006Vm9rIAC/view", "001A0000006Vm9rIAC"),
        ("https://gitlab.my.salesforce.com/001A0000006Vm9rIAC?srPos=0", "001A0000006Vm9rIAC"),
        ("not an id", "not an id"),
        ("", None),
        (None, None),
    ],
)
def test_salesforce_ids_are_normalised_to_18_characters(macros, written, expected):
    assert id18(macros, written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "001A0000006Vm9r",
        "001A0000006Vm9rIAC",
        "001A0000006Vm9riac",
        " 001A0000006Vm9r ",
        "https://gitlab.my.salesforce.com/001A0000006Vm9rIAC?srPos=0",
        "not an id",
        "",
        None,
    ],
)
def test_the_15_character_form_is_the_18_character_form_without_its_suffix(macros, written):
    [(id15, id18_form)] = macros.execute("SELECT staging.sf_id15($1), staging.sf_id18($1)", [written]).fetchall()
    is_id = id18_form is not None and len(id18_form) == 18 and id18_form.isalnum()
    assert id15 == (id18_form[:15] if is_id else id18_form)


def test_checksum_matches_the_documented_algorithm(macros):
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    for _ in range(200):
        id15 = "".join(rng.choice(alphabet) for _ in range(15))
        assert id18(macros, id15) == sf_id18(id15)


def test_in_effect_is_half_open(macros):
    rows = macros.execute(
        "SELECT staging.in_effect(DATE '2026-01-01', DATE '2026-06-15', DATE '2026-06-15'),"
        " staging.in_effect(DATE '2026-06-15', NULL, DATE '2026-06-15'),"
        " staging.in_effect(DATE '2026-06-16', NULL, DATE '2026-06-15'),"
        " staging.in_effect(NULL, NULL, DATE '2026-06-15')"
    ).fetchall()
    assert rows == [(False, True, False, False)]


def test_latest_version_is_the_highest_version(world):
    world.subscription("A-S001", {"premium-saas": 10}, version=2, Status="Active")
    world.subscription("A-S001", {"premium-saas": 20}, version=1, Status="Expired")
    [latest] = world.staged("latest_subscriptions")
    assert (latest["subscription_id"], latest["seats"]) == ("sub-A-S001-v2", 10)


def test_end_and_in_force(world):
    world.subscription("A-S001", Status="Cancelled", SubscriptionEndDate=dt.date(2026, 3, 1))
    world.subscription("A-S002", TermType="EVERGREEN", end=None)
    world.subscription("A-S003", Status="Cancelled", TermType="EVERGREEN", end=None,
                       SubscriptionEndDate=dt.date(2026, 9, 1))
    world.subscription("A-S004")
    world.subscription("A-S005", Status="Draft")
    world.subscription("A-S006", end=AS_OF)
    world.subscription("A-S007", start=AS_OF + dt.timedelta(days=1))
    staged = {row["subscription_name"]: row for row in world.staged("latest_subscriptions")}
    assert {name: (row["end_date"], row["in_force"]) for name, row in staged.items()} == {
        "A-S001": (dt.date(2026, 3, 1), False),
        "A-S002": (None, True),
        "A-S003": (dt.date(2026, 9, 1), True),
        "A-S004": (TERM_END, True),
        "A-S005": (TERM_END, False),
        "A-S006": (AS_OF, False),
        "A-S007": (TERM_END, False),
    }


def test_deployment_and_paid_come_from_base_products(world):
    world.subscription("A-S001", {"premium-saas": 10, "storage": 3})
    world.subscription("A-S002", {"ultimate-sm": 5})
    world.subscription("A-S003", {"dedicated": 50})
    world.subscription("A-S004", {"storage": 3})
    staged = {row["subscription_name"]: row for row in world.staged("latest_subscriptions")}
    assert {name: (row["paid"], row["deployment"], row["seats"]) for name, row in staged.items()} == {
        "A-S001": (True, "SaaS", 10),
        "A-S002": (True, "SM", 5),
        "A-S003": (True, "Dedicated", 50),
        "A-S004": (False, None, 0),
    }


def test_seats_count_charges_in_effect_on_d_half_open(world):
    world.subscription("A-S001", {"premium-saas": [(10, TERM_START, AS_OF), (12, AS_OF, TERM_END)]})
    [seats] = world.staged("subscription_seats")
    assert seats["seats"] == 12


def test_seats_of_a_future_term_count_the_charges_of_its_first_day(world):
    start = AS_OF + dt.timedelta(days=10)
    world.subscription("A-S001", {"premium-saas": [(5, TERM_START, start), (20, start, None)]}, start=start)
    [seats] = world.staged("subscription_seats")
    assert seats["seats"] == 20


def test_excluded_subscriptions_are_ignored_by_their_latest_version(world):
    world.subscription("A-S001", version=1, ExcludeFromAnalysis__c="True", Status="Expired")
    world.subscription("A-S001", version=2)
    world.subscription("A-S002", version=1, Status="Expired")
    world.subscription("A-S002", version=2, ExcludeFromAnalysis__c="True")
    assert [row["subscription_name"] for row in world.staged("ignored_subscription_names")] == ["A-S002"]
    assert [row["subscription_name"] for row in world.staged("latest_subscriptions")] == ["A-S001"]


def test_current_license_excludes_trials_invalid_dates_and_future_starts(world):
    world.license("A-S001", starts=TERM_START, expires=dt.date(2026, 2, 1))
    world.license("A-S001", starts=dt.date(2026, 3, 1), expires=dt.date(2026, 2, 1))
    world.license("A-S001", starts=dt.date(2026, 4, 1), trial=True)
    world.license("A-S001", starts=AS_OF + dt.timedelta(days=1))
    [current] = world.staged("current_licenses")
    assert (current["starts_at"], current["expired"]) == (TERM_START, True)
