"""CustomersDot: customers, billing accounts, orders, licenses, cloud activations and seat links."""

from __future__ import annotations

import datetime as dt

from sandbox.generator.clock import add_months, days, iso
from sandbox.generator.names import email
from sandbox.generator.world_model import Customer, Record, Sub, World

TRIAL_PLANS = ("ultimate-saas-trial-plan-id", "premium-saas-trial-plan-id")
FREE_PLAN = "free-plan-id"


def contact(world: World, company: str, domain: str, first: str, last: str, sf_id: str | None,
            created: dt.date) -> Record:
    """Write the CustomersDot customer (the buyer's portal login) of a company."""
    return world.add("customersdot/customers", {
        "id": world.ids.customersdot("customers"), "email": email(first, last, domain),
        "first_name": first, "last_name": last, "company": company, "uid": world.ids.uid(),
        "salesforce_account_id": sf_id, **world.stamps("customersdot", created),
    })


def billing_account(world: World, customer: Customer, account: Record, created: dt.date) -> Record:
    """Write the CustomersDot billing account of a Zuora account, linked to the customer's Salesforce account."""
    sf_id = {"same": account["CrmId"], "survivor": customer.sf_account["Id"], "empty": None}[
        customer.spec.billing_sf]
    record = world.add("customersdot/billing_accounts", {
        "id": world.ids.customersdot("billing_accounts"), "zuora_account_id": account["Id"],
        "zuora_account_name": account["Name"], "salesforce_account_id": sf_id,
        **world.stamps("customersdot", created),
    })
    customer.billing_accounts[account["Id"]] = record
    return record


def order(world: World, customer: Customer, plan_id: str, start: dt.date, end: dt.date | None, quantity: int, *,
          sub: Sub | None = None, namespace: tuple[str, str] | None = None, trial: bool = False,
          billing: Record | None = None, subscription: tuple[str | None, str | None] = (None, None)) -> Record:
    """Write a CustomersDot order (of `sub`, or a trial, free or stray one naming `subscription`)."""
    if sub is not None:
        billing = sub.billing_account
        version = sub.versions[-2] if sub.spec.order_version == "older" and len(sub.versions) > 1 else sub.latest
        subscription = (version["Id"], sub.name)
    record = world.add("customersdot/orders", {
        "id": world.ids.customersdot("orders"), "customer_id": customer.contact["id"],
        "billing_account_id": billing["id"] if billing else None, "product_rate_plan_id": plan_id,
        "subscription_id": subscription[0], "subscription_name": subscription[1],
        "start_date": iso(start), "end_date": iso(end), "quantity": quantity,
        "gl_namespace_id": namespace[0] if namespace else None,
        "gl_namespace_name": namespace[1] if namespace else None,
        "amendment_type": sub.lines[0].rate_plan["AmendmentType"] if sub else None, "trial": trial,
        **world.stamps("customersdot", sub.spec.first_start if sub else start),
    })
    if sub is not None:
        sub.orders.append(record)
    return record


def sub_orders(world: World, sub: Sub) -> None:
    """Write the orders of `sub`: one per base (or storage) plan, with its seats on `as_of` (or its last day)."""
    end = sub.end
    day = world.as_of if end is None or world.as_of < end else days(end, -1)
    ns = sub.namespace if sub.spec.namespace_on in ("both", "order") else None
    plans = dict.fromkeys(line.plan for line in sub.lines if line.plan.is_base or line.plan.role == "Storage")
    for plan in plans:
        order(world, sub.customer, plan.id, sub.term_start, sub.end, sub.seats(day, plan.id), sub=sub,
              namespace=ns)


def license_record(world: World, customer: Customer, starts: dt.date, expires: dt.date, users: int, *,
                   plan_code: str = "premium", trial: bool = False, subscription: tuple[str | None, str | None] = (
                       None, None), cloud: bool = False, previous_users: int | None = None,
                   trueup: int = 0) -> Record:
    """Write a CustomersDot license (of a subscription, a trial, or a stray one)."""
    return world.add("customersdot/licenses", {
        "id": world.ids.customersdot("licenses"), "customer_id": customer.contact["id"],
        "email": customer.contact["email"], "company": customer.name, "users_count": users,
        "previous_users_count": previous_users, "trueup_quantity": trueup, "plan_code": plan_code,
        "starts_at": iso(starts), "expires_at": iso(expires), "trial": trial,
        "zuora_subscription_id": subscription[0], "zuora_subscription_name": subscription[1],
        "cloud_licensing_enabled": cloud, **world.stamps("customersdot", starts),
    })


def sub_license(world: World, sub: Sub, starts: dt.date, expires: dt.date, users: int, version: Record, *,
                previous: Record | None = None, trueup: int = 0) -> Record:
    """Write a license of `sub` (issued under `version`) and attach it to `sub`."""
    spec = sub.spec
    record = license_record(
        world, sub.customer, starts, expires, users,
        plan_code="ultimate" if spec.tier == "Ultimate" or spec.second_plan else "premium",
        subscription=(version["Id"], sub.name), cloud=spec.cloud in ("Yes", "Offline"),
        previous_users=previous["users_count"] if previous else None, trueup=trueup)
    sub.licenses.append(record)
    return record


def slice_end(sub: Sub, day: dt.date) -> dt.date:
    """When the license of `sub` covering `day` expires: the end of its year slice (legacy files), or of its term."""
    return next(e for s, e in _slices(sub, sub.term_start, sub.term_end) if s <= day < e)


def _slices(sub: Sub, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    if sub.spec.cloud in ("Yes", "Offline"):
        return [(start, end)]
    edges = []
    while start < end:
        edges.append((start, min(add_months(start, 12), end)))
        start = add_months(start, 12)
    return edges


def _licenses(world: World, sub: Sub) -> None:
    """Licenses per term (legacy files per year-slice), re-issued on add-ons and early for the next slice."""
    as_of, spec = world.as_of, sub.spec
    stop = min(as_of, days(spec.cancel_on, -1)) if spec.cancel_on else as_of
    issues: list[tuple] = []
    terms = [e for e in sub.events if e.kind != "addon"]
    for index, event in enumerate(terms):
        base = [c for c in event.charges if c.plan.is_base and c.plan.charge_type == "Recurring"]
        trueup = sum(c.quantity for c in event.charges if c.plan.role.startswith("Trueup"))
        last = index == len(terms) - 1
        for start, expires in _slices(sub, event.on, add_months(event.on, spec.term_months)):
            if start <= stop:
                users = sub.seats(start) if last else sum(c.quantity for c in base)
                issues.append((start, expires, users, event.version, trueup if start == event.on else 0))
    term_end = sub.term_end
    for event in sub.events:
        if event.kind == "addon" and event.on <= stop:
            expires = next(e for s, e in _slices(sub, sub.term_start, term_end) if s <= event.on < e)
            issues.append((event.on, expires, sub.seats(event.on), event.version, 0))
    issues.sort(key=lambda issue: issue[0])
    if issues and sub.in_force(as_of):
        start, expires = issues[-1][:2]
        if expires < days(as_of, 30) and expires < term_end:
            early = max(start, days(as_of, -world.rng.randint(0, 20)))
            issues.append((early, min(add_months(expires, 12), term_end), sub.seats(as_of), sub.latest, 0))
    previous = None
    for starts, expires, users, version, trueup in issues:
        previous = sub_license(world, sub, starts, expires, users, version, previous=previous, trueup=trueup)


def _seat_links(world: World, sub: Sub) -> None:
    as_of, rng, spec = world.as_of, world.rng, sub.spec
    seats = sub.seats(as_of)
    if seats == 0:
        return
    latest = int(seats * rng.uniform(0.5, 1.0))
    older = int(latest * rng.uniform(0.7, 1.0))
    if spec.seat_overage == "qsr" and spec.qsr == "Yes":
        latest = seats + rng.randint(1, 1 + seats // 5)
    elif spec.seat_overage == "older":
        older = seats + rng.randint(1, 1 + seats // 5)
    host, instance = f"gitlab.{sub.customer.domain}", world.ids.uuid()
    order_id = sub.orders[0]["id"] if sub.orders else None
    for ago, maximum in ((rng.randint(20, 40), older), (rng.randint(1, 3), latest)):
        day = days(as_of, -ago)
        sub.seat_links.append(world.add("customersdot/license_seat_links", {
            "id": world.ids.customersdot("license_seat_links"), "zuora_subscription_id": sub.latest["Id"],
            "zuora_subscription_name": sub.name, "order_id": order_id, "hostname": host,
            "instance_identifier": instance, "report_timestamp": world.clock.at("customersdot", day),
            "active_user_count": int(maximum * rng.uniform(0.8, 1.0)), "license_user_count": seats,
            "max_historical_user_count": maximum, **world.stamps("customersdot", day),
        }))


def sub_activation(world: World, sub: Sub) -> Record:
    """Write the cloud activation of `sub`."""
    record = world.add("customersdot/cloud_activations", {
        "id": world.ids.customersdot("cloud_activations"), "customer_id": sub.customer.contact["id"],
        "billing_account_id": sub.billing_account["id"] if sub.billing_account else None,
        "activation_code": world.ids.token(12), "subscription_name": sub.name,
        **world.stamps("customersdot", sub.spec.first_start),
    })
    sub.activations.append(record)
    return record


def provision_subscription(world: World, sub: Sub) -> None:
    """Write what CustomersDot holds for a subscription that has started: orders, and for SM licensing."""
    spec = sub.spec
    if not spec.live or spec.deployment == "Dedicated" or sub.term_start > world.as_of:
        return
    sub_orders(world, sub)
    if spec.deployment != "SM":
        return
    if spec.license_file:
        _licenses(world, sub)
    if spec.cloud in ("Yes", "Offline"):
        sub_activation(world, sub)
    if sub.in_force(world.as_of) and (sub.licenses or sub.activations):
        _seat_links(world, sub)


def trial_license(world: World, customer: Customer, starts: dt.date, expires: dt.date) -> Record:
    """Write a self-managed trial license."""
    return license_record(world, customer, starts, expires, 100, plan_code="ultimate", trial=True)


def trial_order(world: World, customer: Customer, start: dt.date, length: int | None,
                namespace: tuple[str, str] | None) -> Record:
    """Write a SaaS trial order of `length` days (open-ended when None)."""
    return order(world, customer, world.rng.choice(TRIAL_PLANS), start,
                 days(start, length) if length is not None else None, 1, namespace=namespace,
                 trial=world.chance(0.95))


def customer_extras(world: World, customer: Customer) -> None:
    """Trials before purchases, current trials and free groups of prospects."""
    rng = world.rng
    saas = next((s for s in customer.subs if s.spec.deployment == "SaaS"), None)
    if saas and saas.namespace and world.chance(0.4):
        trial_order(world, customer, days(saas.spec.first_start, -30), 30, saas.namespace)
    sm = next((s for s in customer.subs if s.spec.deployment == "SM"), None)
    if sm and world.chance(0.3):
        first = sm.spec.first_start
        trial_license(world, customer, days(first, -30), first)
    if customer.subs:
        return
    draw = rng.random()
    namespace = (world.ids.namespace_id(), customer.domain.split(".")[0])
    if draw < 0.45:
        trial_order(world, customer, world.days_ago(0, 29), rng.choice((14, 30)), namespace)
    elif draw < 0.75:
        order(world, customer, FREE_PLAN, world.days_ago(30, 900), None, 1, namespace=namespace)
    elif draw < 0.95:
        start = world.days_ago(0, 60)
        trial_license(world, customer, start, days(start, 30))
    else:
        trial_order(world, customer, world.days_ago(150, 300), 60, namespace)
