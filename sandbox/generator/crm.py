"""Salesforce: accounts (with merged duplicates), opportunities and Zuora quotes."""

from __future__ import annotations

import datetime as dt

from sandbox.generator.billing import event_cents
from sandbox.generator.clock import days, iso
from sandbox.generator.ids import SF_ACCOUNT, SF_OPPORTUNITY, SF_QUOTE, SF_URL
from sandbox.generator.world_model import Customer, Event, Record, Sub, World

OPEN_STAGES = ("0-Pending Acceptance", "1-Discovery", "2-Scoping", "3-Technical Evaluation", "4-Proposal",
               "5-Negotiating", "6-Awaiting Signature", "7-Closing")
OPPORTUNITY_TYPES = ("New Business", "Add-On Business", "Renewal")
QUOTE_TYPES = {"new": "New Subscription", "renewal": "Renew Subscription", "addon": "Amend Subscription"}
DEPLOYMENT_LABEL = {"SaaS": "SaaS", "SM": "Self-Managed", "Dedicated": "Dedicated"}


def sf_account(world: World, name: str, country: str, kind: str, created: dt.date, *, deleted: bool = False,
               master: str | None = None) -> Record:
    """Write a Salesforce account."""
    return world.add("salesforce/Account", {
        "Id": world.ids.salesforce(SF_ACCOUNT), "Name": name, "MasterRecordId": master, "IsDeleted": deleted,
        "Type": kind, "BillingCountry": country, **world.stamps("salesforce", created),
    })


def customer_accounts(world: World, crm: str, name: str, country: str, kind: str,
                      created: dt.date) -> tuple[Record, str]:
    """The surviving account of a customer (with merged duplicates) and the id Zuora's CrmId holds."""
    survivor = sf_account(world, name, country, kind, created)
    crm_id = survivor["Id"]
    if crm == "id15":
        crm_id = crm_id[:15]
    elif crm.startswith("merged"):
        master = survivor["Id"]
        for _ in range(2 if crm == "merged2" else 1):
            duplicate = sf_account(world, name, country, "Prospect", days(created, -world.rng.randint(30, 400)),
                                   deleted=True, master=master)
            master = duplicate["Id"]
        crm_id = master if world.chance(0.7) else master[:15]
    return survivor, crm_id


def reference(sf_id: str, form: str, world: World) -> str | None:
    """A Salesforce id as a Zuora custom field holds it: 18 or 15 characters, a URL, or nothing."""
    if form == "none":
        return None
    if form == "id15":
        return sf_id[:15]
    if form == "url":
        return SF_URL + (sf_id if world.chance(0.5) else sf_id[:15])
    return sf_id


def opportunity(world: World, customer: Customer, name: str, stage: str, kind: str, close: dt.date,
                amount_cents: int, *, invoice_number: str | None = None, web: bool = False,
                deleted: bool = False) -> Record:
    """Write an opportunity on the customer's account."""
    return world.add("salesforce/Opportunity", {
        "Id": world.ids.salesforce(SF_OPPORTUNITY), "AccountId": customer.sf_account["Id"], "Name": name,
        "StageName": stage, "Type": kind, "CloseDate": iso(close), "Amount": amount_cents / 100,
        "Invoice_Number__c": invoice_number, "Web_Portal_Purchase__c": web, "IsDeleted": deleted,
        **world.stamps("salesforce", days(min(close, world.as_of), -world.rng.randint(5, 60))),
    })


def quote(world: World, opp: Record, customer: Customer, on: dt.date, *, status: str, primary: bool,
          kind: str = "new", sub: Sub | None = None, version: Record | None = None) -> Record:
    """Write a Zuora quote of an opportunity, naming the subscription when one is given."""
    return world.add("salesforce/zqu__Quote__c", {
        "Id": world.ids.salesforce(SF_QUOTE), "Name": f"Q-{world.ids.serial('quote', 200000):07d}",
        "zqu__Opportunity__c": opp["Id"], "zqu__Account__c": customer.sf_account["Id"],
        "zqu__Primary__c": primary, "zqu__Status__c": status, "zqu__SubscriptionType__c": QUOTE_TYPES[kind],
        "zqu__Subscription_Name__c": sub.name if sub else None,
        "zqu__ZuoraSubscriptionID__c": version["Id"] if version else None,
        "zqu__ZuoraAccountID__c": sub.account["Id"] if sub else None,
        "zqu__StartDate__c": iso(on), "IsDeleted": False,
        **world.stamps("salesforce", min(on, world.as_of)),
    })


def _amount(world: World, cents: int) -> int:
    if world.chance(0.85):
        return cents
    tolerance = max(100, cents // 100)
    return cents + world.rng.choice((-1, 1)) * world.rng.randint(1, max(1, tolerance * 2 // 5))


def _book_event(world: World, sub: Sub, event: Event, last: bool) -> None:
    spec, customer = sub.spec, sub.customer
    kind = {"new": "Renewal" if spec.predecessor else "New Business", "renewal": "Renewal",
            "addon": "Add-On Business"}[event.kind]
    close = days(min(event.on, world.as_of), -world.rng.randint(1, 14))
    invoice = event.invoice.record if event.invoice else None
    cents = round(invoice["AmountWithoutTax"] * 100) if invoice else sum(event_cents(sub, event))
    product = "Storage" if spec.deployment == "Storage" else f"{DEPLOYMENT_LABEL[spec.deployment]} {spec.tier}"
    label = f"{customer.name} - {product} - {kind}"
    event.opportunity = opportunity(
        world, customer, label, "Closed Won", kind, close, _amount(world, cents),
        invoice_number=invoice["InvoiceNumber"] if invoice and world.chance(0.95) else None, web=spec.web)
    if spec.web:
        quote(world, event.opportunity, customer, event.on, status="New", primary=True, kind=event.kind)
        return
    if not (last and spec.opp_ref != "none" and world.chance(0.1)):
        event.quote = quote(world, event.opportunity, customer, event.on, status="Sent to Z-Billing",
                            primary=True, kind=event.kind, sub=sub, version=event.version)
    if world.chance(0.1):
        quote(world, event.opportunity, customer, event.on, status="New", primary=False, kind=event.kind)


def book_subscription(world: World, sub: Sub) -> None:
    """Write the opportunity and quotes of every event of `sub` and link its versions to them."""
    for index, event in enumerate(sub.events):
        _book_event(world, sub, event, index == len(sub.events) - 1)
    opportunity_of = {event.version["Id"]: event.opportunity for event in sub.events}
    current = None
    for version in sub.versions:
        current = opportunity_of.get(version["Id"], current)
        version["OpportunityId__c"] = reference(current["Id"], sub.spec.opp_ref, world) if current else None


def customer_extras(world: World, customer: Customer) -> None:
    """Lost, open, unqualified, duplicate and deleted opportunities of a customer."""
    as_of, rng = world.as_of, world.rng
    name = customer.name
    if world.chance(0.15):
        opportunity(world, customer, f"{name} - Expansion", "8-Closed Lost", rng.choice(OPPORTUNITY_TYPES),
                    world.days_ago(10, 500), rng.randint(10, 500) * 22800)
    if world.chance(0.25):
        opportunity(world, customer, f"{name} - Pipeline", rng.choice(OPEN_STAGES), rng.choice(OPPORTUNITY_TYPES),
                    days(as_of, rng.randint(5, 120)), rng.randint(5, 200) * 22800)
    if world.chance(0.05):
        opportunity(world, customer, f"{name} - Inbound", "9-Unqualified", "New Business",
                    world.days_ago(30, 300), 0)
    won = [e.opportunity for s in customer.subs for e in s.events if e.opportunity]
    if won and world.chance(0.05):
        original = rng.choice(won)
        opportunity(world, customer, original["Name"], "10-Duplicate", original["Type"],
                    dt.date.fromisoformat(original["CloseDate"]), round(original["Amount"] * 100),
                    invoice_number=original["Invoice_Number__c"] or world.ids.invoice_number())
    if world.chance(0.02):
        opportunity(world, customer, f"{name} - Renewal", "Closed Won", "Renewal", world.days_ago(20, 200),
                    rng.randint(5, 100) * 22800, invoice_number=world.ids.invoice_number(), deleted=True)
