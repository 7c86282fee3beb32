"""CRM rules: Salesforce accounts and opportunities against Zuora and CustomersDot."""

from __future__ import annotations

import datetime as dt

from audit_worlds import AS_OF, sf_id18


def crm_of(world, account="A001"):
    """The Zuora account record `account`."""
    return world.one("zuora", "Account", AccountNumber=account)


def test_crm_account_link_broken(world):
    world.paid("A-S001")
    world.paid("A-S002", account="A002")
    crm_of(world).update(CrmId=None)
    crm_of(world, "A002").update(CrmId=sf_id18("001Qa9999999999"))
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A002").update(salesforce_account_id=None)
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {
        ("crm_account_link_broken", "A001"),
        ("crm_account_link_broken", "A002"),
    }
    assert set(findings["subscription_name"]) == {"A-S001", "A-S002"}


def test_fifteen_character_crm_id_is_not_broken(world):
    world.paid("A-S001")
    crm_of(world).update(CrmId=crm_of(world)["CrmId"][:15])
    assert world.pairs() == set()


def test_merged_account_chain_resolves_to_the_survivor(world):
    survivor = world.sf_account()
    middle = world.sf_account(IsDeleted=True, MasterRecordId=survivor)
    merged = world.sf_account(IsDeleted=True, MasterRecordId=middle[:15])
    world.account("A001", crm_id=merged)
    world.paid("A-S001")
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A001").update(
        salesforce_account_id=survivor
    )
    assert world.pairs() == set()
    resolved = {row["reference"]: row["resolved_id"] for row in world.staged("sf_account_resolution")}
    assert resolved[merged] == survivor


def test_deleted_account_without_survivor_is_broken(world):
    world.account("A001", crm_id=world.sf_account(IsDeleted=True))
    world.paid("A-S001")
    gone = world.sf_account(IsDeleted=True)
    world.account("A002", crm_id=world.sf_account(IsDeleted=True, MasterRecordId=gone))
    world.paid("A-S002", account="A002")
    assert world.pairs() == {("crm_account_link_broken", "A001"), ("crm_account_link_broken", "A002")}


def test_accounts_without_paid_subscriptions_in_force_are_not_examined(world):
    world.account("A001", crm_id="001Qa0000nothere")
    world.subscription("A-S001", {"storage": 5})
    assert world.pairs() == set()


def test_crm_account_mismatch(world):
    world.paid("A-S001")
    other = world.sf_account()
    billing = world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A001")
    billing.update(salesforce_account_id=other)
    findings = world.findings()
    assert set(findings.select("rule_id", "subject_id").iter_rows()) == {
        ("crm_account_mismatch", str(billing["id"]))
    }
    assert findings.row(0, named=True)["zuora_account_number"] == "A001"


def test_equal_resolved_ids_are_no_mismatch(world):
    survivor = world.sf_account()
    world.account("A001", crm_id=world.sf_account(IsDeleted=True, MasterRecordId=survivor))
    world.paid("A-S001")
    world.one("customersdot", "billing_accounts", zuora_account_id="zacc-A001").update(
        salesforce_account_id=survivor[:15]
    )
    assert world.pairs() == set()


def test_billing_account_of_a_broken_crm_id_is_not_a_mismatch(world):
    world.paid("A-S001")
    crm_of(world).update(CrmId=None)
    assert world.pairs() == {("crm_account_link_broken", "A001")}


def test_closed_won_not_booked(world):
    account = world.sf_account()
    unbooked = world.opportunity(account)
    world.opportunity(account, Web_Portal_Purchase__c=True)
    world.opportunity(account, Amount=0)
    world.opportunity(account, Type=None)
    world.opportunity(account, StageName="10-Duplicate")
    world.opportunity(account, StageName="7-Closing")
    world.opportunity(account, IsDeleted=True)
    world.opportunity(account, CloseDate=AS_OF - dt.timedelta(days=6))
    on_grace_day = world.opportunity(account, CloseDate=AS_OF - dt.timedelta(days=7))
    assert world.pairs() == {("closed_won_not_booked", unbooked), ("closed_won_not_booked", on_grace_day)}


def test_opportunity_ids_on_subscriptions_are_resolved(world):
    world.paid("A-S001")
    world.paid("A-S002")
    first = world.one("zuora", "Subscription", Name="A-S001")
    first.update(OpportunityId__c=f"https://gitlab.my.salesforce.com/{first['OpportunityId__c']}")
    second = world.one("zuora", "Subscription", Name="A-S002")
    second.update(OpportunityId__c=second["OpportunityId__c"][:15])
    assert world.pairs() == set()


def test_booked_through_a_primary_quote_sent_to_z_billing(world):
    world.paid("A-S001")
    account = crm_of(world)["CrmId"]
    quoted = world.opportunity(account)
    world.quote(quoted, "A-S001")
    unknown_subscription = world.opportunity(account)
    world.quote(unknown_subscription, "A-S404")
    not_primary = world.opportunity(account)
    world.quote(not_primary, "A-S001", zqu__Primary__c=False)
    not_sent = world.opportunity(account)
    world.quote(not_sent, "A-S001", zqu__Status__c="New")
    assert world.pairs() == {
        ("closed_won_not_booked", unknown_subscription),
        ("closed_won_not_booked", not_primary),
        ("closed_won_not_booked", not_sent),
    }


def test_grace_days_are_a_setting(world):
    late = world.opportunity(world.sf_account(), CloseDate=AS_OF - dt.timedelta(days=10))
    assert world.pairs(closed_won_grace_days=14) == set()
    assert world.pairs() == {("closed_won_not_booked", late)}
