"""Self-managed licensing rules: Zuora subscriptions against CustomersDot licenses, activations and seat links."""

from __future__ import annotations

import datetime as dt

from audit_worlds import AS_OF, TERM_END


def sm(world, name="A-S001", seats=10, **fields):
    """A consistent paid SM subscription in force; returns its current license record."""
    world.paid(name, "premium-sm", seats, **fields)
    return world.one("customersdot", "licenses", zuora_subscription_name=name)


def test_sm_subscription_without_license(world):
    sm(world)
    world.remove("customersdot", "licenses")
    sm(world, "A-S002", account="A002")
    world.remove("customersdot", "licenses", zuora_subscription_name="A-S002")
    world.activation("A-S002")
    assert world.pairs() == {("sm_subscription_without_license", "A-S001")}


def test_trial_and_future_licenses_are_not_current(world):
    sm(world).update(trial=True)
    world.license("A-S001", starts=AS_OF + dt.timedelta(days=1))
    assert world.pairs() == {("sm_subscription_without_license", "A-S001")}


def test_expired_current_license_expires_before_term_and_is_not_missing(world):
    sm(world).update(expires_at="2026-06-01")
    assert world.pairs() == {("license_expires_before_term", "A-S001")}


def test_license_expires_before_term(world):
    license_id = str(sm(world)["id"])
    world.one("customersdot", "licenses", id=int(license_id)).update(expires_at="2026-07-14")
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {("license_expires_before_term", "A-S001")}
    assert findings.row(0, named=True)["license_id"] == license_id


def test_license_expiring_exactly_at_the_window_end_is_not_found(world):
    sm(world).update(expires_at=(AS_OF + dt.timedelta(days=30)).isoformat())
    assert world.pairs() == set()


def test_license_expiry_window_is_a_setting(world):
    sm(world).update(expires_at="2026-08-01")
    assert world.pairs() == set()
    assert world.pairs(license_expiry_window_days=60) == {("license_expires_before_term", "A-S001")}


def test_multi_year_subscription_with_a_one_year_license(world):
    sm(world, end=dt.date(2029, 1, 1)).update(expires_at=TERM_END.isoformat())
    assert world.pairs() == set()
    assert world.pairs(as_of=dt.date(2026, 12, 15)) == {("license_expires_before_term", "A-S001")}


def test_current_license_is_the_latest_started_then_the_highest_id(world):
    sm(world).update(users_count=5, expires_at="2026-03-01")
    world.license("A-S001", 5, starts=dt.date(2026, 3, 1))
    latest = world.license("A-S001", 10, starts=dt.date(2026, 3, 1))
    assert world.pairs() == set()
    assert str(world.staged("current_licenses")[0]["id"]) == latest


def test_license_seat_mismatch(world):
    license_id = str(sm(world)["id"])
    world.one("customersdot", "licenses", id=int(license_id)).update(users_count=8)
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {("license_seat_mismatch", "A-S001")}
    assert findings.row(0, named=True)["license_id"] == license_id


def test_license_without_subscription(world):
    sm(world)
    orphan = world.license("A-S999")
    unnamed = world.license(None)
    world.license("A-S998", expires=AS_OF)
    world.license("A-S997", trial=True)
    assert world.pairs() == {
        ("license_without_subscription", orphan),
        ("license_without_subscription", unnamed),
    }


def test_license_with_invalid_dates_raises_only_license_dates_invalid(world):
    sm(world)
    invalid = world.license("A-S001", 99, starts=dt.date(2026, 2, 1), expires=dt.date(2026, 2, 1))
    orphan = world.license("A-S999", 5, starts=dt.date(2027, 5, 1), expires=dt.date(2027, 1, 1))
    assert world.pairs() == {("license_dates_invalid", invalid), ("license_dates_invalid", orphan)}


def test_only_license_with_invalid_dates_leaves_the_subscription_without_license(world):
    sm(world).update(starts_at="2026-01-01", expires_at="2025-01-01")
    license_id = str(world.one("customersdot", "licenses", zuora_subscription_name="A-S001")["id"])
    assert world.pairs() == {
        ("license_dates_invalid", license_id),
        ("sm_subscription_without_license", "A-S001"),
    }


def test_cloud_licensing_mismatch(world):
    sm(world, TurnOnCloudLicensing__c="Yes")
    sm(world, "A-S002", TurnOnCloudLicensing__c="Yes", account="A002")
    world.activation("A-S002")
    assert world.pairs() == {("cloud_licensing_mismatch", "A-S001")}


def test_unbilled_seat_overage(world):
    sm(world)
    world.seat_link("A-S001", 12)
    sm(world, "A-S002", account="A002", TurnOnSeatReconciliation__c="Yes")
    world.seat_link("A-S002", 12)
    sm(world, "A-S003", account="A003", TurnOnSeatReconciliation__c=None)
    world.seat_link("A-S003", 12)
    sm(world, "A-S004", account="A004")
    world.seat_link("A-S004", 12, at="2026-06-01T02:00:00.000Z")
    world.seat_link("A-S004", 9, at="2026-06-14T02:00:00.000Z")
    assert world.pairs() == {("unbilled_seat_overage", "A-S001"), ("unbilled_seat_overage", "A-S003")}


def test_saas_subscriptions_raise_no_licensing_rule(world):
    world.paid("A-S001")
    world.seat_link("A-S001", 50)
    assert world.pairs() == set()


def test_evergreen_license_expiring_soon(world):
    sm(world, TermType="EVERGREEN", end=None).update(expires_at="2026-07-01")
    assert world.pairs() == {("license_expires_before_term", "A-S001")}
