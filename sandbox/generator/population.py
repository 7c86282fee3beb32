"""Customers built from specs: accounts in all three systems and their subscription lines."""

from __future__ import annotations

from sandbox.generator import billing, crm, names, provisioning
from sandbox.generator.clock import add_months, days
from sandbox.generator.specs import ENTITIES, CustomerSpec, LineSpec, sample_customer, sample_line
from sandbox.generator.subscriptions import build_subscription
from sandbox.generator.world_model import Customer, Record, Sub, World

RESELLERS = ("SHI International Corp.", "CDW LLC", "Insight Enterprises Inc.", "SoftwareONE AG",
             "Carahsoft Technology Corp.", "Computacenter plc")


def build_resellers(world: World) -> None:
    """Write the reseller accounts that own invoices of subscriptions sold through the channel."""
    for name in RESELLERS:
        created = days(world.as_of, -3000)
        partner = crm.sf_account(world, name, "United States", "Partner", created)
        world.resellers.append(world.add("zuora/Account", {
            "Id": world.ids.zuora(), "AccountNumber": world.ids.account_number(), "Name": name,
            "CrmId": partner["Id"], "Status": "Active", "Currency": "USD", "Entity__c": ENTITIES["USD"],
            "SspChannel__c": "Reseller", **world.zuora_stamps(created),
        }))


def zuora_account(world: World, customer: Customer, currency: str, *, status: str = "Active",
                  channel: str | None = None) -> Record:
    """Write a Zuora account of the customer and its CustomersDot billing account."""
    created = customer.since
    account = world.add("zuora/Account", {
        "Id": world.ids.zuora(), "AccountNumber": world.ids.account_number(), "Name": customer.name,
        "CrmId": customer.crm_id, "Status": status, "Currency": currency, "Entity__c": ENTITIES[currency],
        "SspChannel__c": channel, **world.zuora_stamps(created),
    })
    customer.accounts.append(account)
    provisioning.billing_account(world, customer, account, created)
    return account


def _predecessor_spec(world: World, line: LineSpec) -> LineSpec:
    """The subscription that `line` renewed: ended (or, on a billing-entity change, cancelled) on its start."""
    start = line.first_start
    if line.predecessor == "entity":
        term_start = days(start, -world.rng.randint(60, 300))
        cancel_on = start
    else:
        term_start, cancel_on = add_months(start, -12), None
    return sample_line(
        world.rng, world.as_of, world.catalog, deployment=line.deployment, tier=line.tier, state="ended",
        term_months=12, term_start=term_start, cancel_on=cancel_on, addon=None, predecessor=None,
        evergreen=False, second_plan=False, cloud=line.cloud, web=line.web, reseller=line.reseller,
        seats=max(1, int(line.seats * world.rng.uniform(0.7, 1.0))), status=None, era=world.catalog.era_for(
            term_start), prior_terms=world.rng.choice((0, 0, 1)), storage=line.storage, trueup=False)


def subscription(world: World, customer: Customer, account: Record, line: LineSpec,
                 namespace: tuple[str, str] | None) -> Sub:
    """Build one subscription name in all three systems."""
    owner = world.rng.choice(world.resellers) if line.reseller else account
    sub = Sub(line, world.ids.subscription_name(), customer, account, owner,
              customer.billing_accounts.get(account["Id"]), namespace)
    build_subscription(world, sub)
    if not line.excluded:
        billing.invoice_subscription(world, sub)
        crm.book_subscription(world, sub)
    provisioning.provision_subscription(world, sub)
    customer.subs.append(sub)
    return sub


def new_namespace(world: World, customer: Customer) -> tuple[str, str]:
    """A fresh GitLab.com top-level group of the customer."""
    namespace_id = world.ids.namespace_id()
    return namespace_id, f"{customer.domain.split('.')[0]}-{namespace_id[-4:]}"


def build_line(world: World, customer: Customer, line: LineSpec, account: Record | None = None) -> Sub:
    """Build a subscription line of the customer, with the subscription it renewed when it has one."""
    account = account or customer.accounts[0]
    namespace = None
    if line.deployment == "Storage":
        namespace = next((s.namespace for s in customer.subs if s.namespace), None)
    if line.deployment in ("SaaS", "Storage") and namespace is None:
        namespace = new_namespace(world, customer)
    previous = None
    if line.predecessor:
        old_account = account
        if line.predecessor == "entity":
            other = next(c for c in ENTITIES if c != account["Currency"])
            old_account = zuora_account(world, customer, other, status="Canceled")
        previous = subscription(world, customer, old_account, _predecessor_spec(world, line), namespace)
    sub = subscription(world, customer, account, line, namespace)
    if previous:
        previous.latest["Renewal_Subscription__c__c"] = sub.name
    return sub


def build_customer(world: World, spec: CustomerSpec) -> Customer:
    """Build a customer from its spec and add it to the world."""
    rng = world.rng
    name = names.company(rng)
    domain = f"{names.slug(name)[:40] or 'company'}-{rng.randint(100, 999)}.example.com"
    country = rng.choice(names.COUNTRIES)
    starts = [days(line.first_start, -800 if line.predecessor else 0) for line in spec.lines]
    created = days(min(starts or [world.as_of]), -rng.randint(30, 900))
    kind = "Customer" if spec.lines else "Prospect"
    survivor, crm_id = crm.customer_accounts(world, spec.crm, name, country, kind, created)
    first, last = names.person(rng)
    sf_id = survivor["Id"] if world.chance(0.9) else None
    contact = provisioning.contact(world, name, domain, first, last, sf_id, created)
    customer = Customer(spec, name, survivor, crm_id, domain, contact, created)
    world.customers.append(customer)
    if spec.lines:
        channel = "Reseller" if any(line.reseller for line in spec.lines) else None
        zuora_account(world, customer, spec.currency, channel=channel)
    for line in spec.lines:
        build_line(world, customer, line)
    if spec.extras:
        crm.customer_extras(world, customer)
        provisioning.customer_extras(world, customer)
    return customer


def populate(world: World, count: int) -> None:
    """Build `count` randomly sampled customers."""
    for _ in range(count):
        build_customer(world, sample_customer(world.rng, world.as_of, world.catalog))
