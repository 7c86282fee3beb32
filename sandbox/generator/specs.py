"""What to build: the shape of a customer and of each of its subscription lines, sampled or pinned."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sandbox.generator.catalog import Catalog
from sandbox.generator.clock import add_months, days

ENTITIES = {"USD": "GitLab Inc.", "EUR": "GitLab GmbH", "GBP": "GitLab Ltd"}
LIVE_STATUSES = ("Active", "Cancelled")


@dataclass(frozen=True)
class LineSpec:
    """One subscription name to build (and, with `predecessor`, the one it renewed)."""

    deployment: str  # SaaS | SM | Dedicated | Storage (storage only, not paid)
    tier: str  # Premium | Ultimate
    term_months: int
    term_start: dt.date  # start of the latest term
    prior_terms: int = 0  # renewals under the same name before the latest term
    evergreen: bool = False
    seats: int = 10
    addon: str | None = None  # update (seat change on the base charge) | plan (a second rate plan)
    addon_on: dt.date | None = None
    addon_seats: int = 0
    cancel_on: dt.date | None = None
    storage: bool = False
    compute: bool = False
    second_plan: bool = False
    trueup: bool = False
    cloud: str = "No"  # TurnOnCloudLicensing__c
    license_file: bool = True  # whether licenses exist (cloud subscriptions may run on activation alone)
    qsr: str = "No"
    auto_renew: bool = False
    notes: str | None = None
    web: bool = False
    reseller: bool = False
    era: str = "current"  # catalog era of the latest term's base plan
    namespace_on: str = "both"  # both | sub | order: where the namespace id is recorded
    order_version: str = "latest"  # latest | older: which version id orders and licenses hold
    opp_ref: str = "id18"  # id18 | id15 | url | none: form of OpportunityId__c
    predecessor: str | None = None  # renewal | entity: a prior subscription name this one renewed
    status: str | None = None  # latest version status; derived when None
    excluded: bool = False
    invoice_recent: bool = True  # whether a term begun in the last 25 days is invoiced yet
    seat_overage: str | None = None  # qsr | older: seat links over the seats (harmless)

    @cached_property
    def term_end(self) -> dt.date | None:
        """TermEndDate of the latest term (None when evergreen)."""
        return None if self.evergreen else add_months(self.term_start, self.term_months)

    @cached_property
    def first_start(self) -> dt.date:
        """SubscriptionStartDate: the first term's start."""
        return add_months(self.term_start, -self.term_months * self.prior_terms)

    @property
    def latest_status(self) -> str:
        """The latest version's status."""
        return self.status or ("Cancelled" if self.cancel_on else "Active")

    @property
    def live(self) -> bool:
        """Whether the subscription was activated, so billed and provisioned."""
        return self.latest_status in LIVE_STATUSES


@dataclass(frozen=True)
class CustomerSpec:
    """One customer to build: its CRM identity variants and its subscription lines."""

    lines: tuple[LineSpec, ...] = ()
    crm: str = "id18"  # id18 | id15 | merged | merged2: what the Zuora CrmId holds
    billing_sf: str = "same"  # same | survivor | empty: what CustomersDot's billing account holds
    currency: str = "USD"
    extras: bool = True  # lost, open and duplicate opportunities, trials, free groups


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    point = rng.random() * sum(weights.values())
    for choice, weight in weights.items():
        point -= weight
        if point < 0:
            return choice
    return choice


def _seats(rng: random.Random, deployment: str) -> int:
    low, mu = {"SaaS": (1, 3.0), "SM": (5, 3.8), "Dedicated": (200, 6.5), "Storage": (1, 1.0)}[deployment]
    return max(low, min(5000, int(rng.lognormvariate(mu, 1.0))))


def sample_line(rng: random.Random, as_of: dt.date, catalog: Catalog, **pins: Any) -> LineSpec:
    """A realistic subscription line; keyword pins fix any field (and `state`) before dependent choices."""

    def pick(name: str, choose: Any) -> Any:
        return pins[name] if name in pins else choose()

    deployment = pick("deployment", lambda: _weighted(rng, {"SaaS": 52, "SM": 44, "Dedicated": 4}))
    tier = pick("tier", lambda: "Ultimate" if deployment == "Dedicated" or rng.random() < 0.35 else "Premium")
    state = pins.get("state") or _weighted(
        rng, {"running": 80, "cancelling": 3, "ended": 9, "cancelled": 4, "future": 2, "draft": 2})
    evergreen = pick("evergreen", lambda: state == "running" and rng.random() < (
        {"SaaS": 0.04, "Dedicated": 0.3}.get(deployment, 0.0)))
    term_months = pick("term_months", lambda: 36 if deployment == "SM" and rng.random() < 0.2 else 12)
    term_days = 365 * term_months // 12

    def start() -> dt.date:
        if evergreen:
            return days(as_of, -rng.randint(0, 1000))
        if state in ("ended", "cancelled"):
            return add_months(days(as_of, -rng.randint(1, 700)), -term_months)
        if state == "future":
            return days(as_of, rng.randint(1, 60))
        return days(as_of, -rng.randrange(term_days - 3))

    term_start = pick("term_start", start)
    term_end = None if evergreen else add_months(term_start, term_months)
    prior_terms = pick("prior_terms", lambda: 0 if evergreen or state in ("future", "draft") else _weighted(
        rng, {0: 45, 1: 30, 2: 15, 3: 10} if term_months == 12 else {0: 70, 1: 30}))
    seats = pick("seats", lambda: _seats(rng, deployment))

    def cancel() -> dt.date | None:
        if state == "cancelling" and term_end and (term_end - as_of).days > 6:
            return days(as_of, rng.randint(5, (term_end - as_of).days - 1))
        if state == "cancelled" and term_end:
            return days(term_start, rng.randint(20, max(21, min((term_end - term_start).days,
                                                                   (as_of - term_start).days) - 1)))
        return None

    cancel_on = pick("cancel_on", cancel)
    last_day = min(d for d in (term_end, cancel_on, days(as_of, 1)) if d is not None)

    def addon() -> str | None:
        room = (last_day - term_start).days
        return _weighted(rng, {"update": 1, "plan": 1}) if room > 20 and rng.random() < 0.15 else None

    addon_kind = pick("addon", addon)

    def addon_on() -> dt.date | None:
        if addon_kind is None:
            return None
        if term_end and not cancel_on and term_end > days(as_of, 20) and rng.random() < 0.15:
            return days(as_of, rng.randint(1, (term_end - as_of).days - 10))
        return days(term_start, rng.randint(10, max(11, (last_day - term_start).days - 5)))

    second_plan = pick("second_plan", lambda: deployment in ("SaaS", "SM") and rng.random() < 0.02)
    cloud = pick("cloud", lambda: _weighted(rng, {"Yes": 55, "Offline": 10, "No": 35}) if deployment == "SM"
                 else "No")
    qsr = pick("qsr", lambda: "Yes" if cloud == "Yes" and rng.random() < 0.3 else "No")
    web = pick("web", lambda: rng.random() < {"SaaS": 0.45, "SM": 0.15}.get(deployment, 0.0))

    def era() -> str:
        promo = catalog.promo_start <= term_start < catalog.promo_end and term_months == 12
        if promo and catalog.has_era(deployment, tier, "promo") and rng.random() < 0.2:
            return "promo"
        return catalog.era_for(term_start)

    return LineSpec(
        deployment=deployment,
        tier=tier,
        term_months=term_months,
        term_start=term_start,
        prior_terms=prior_terms,
        evergreen=evergreen,
        seats=seats,
        addon=addon_kind,
        addon_on=pick("addon_on", addon_on),
        addon_seats=pick("addon_seats", lambda: max(1, int(seats * rng.uniform(0.05, 0.5)))),
        cancel_on=cancel_on,
        storage=pick("storage", lambda: deployment == "SaaS" and rng.random() < 0.12),
        compute=pick("compute", lambda: deployment == "SaaS" and rng.random() < 0.05),
        second_plan=second_plan,
        trueup=pick("trueup", lambda: deployment == "SM" and prior_terms > 0 and rng.random() < 0.15),
        cloud=cloud,
        license_file=pick("license_file", lambda: cloud != "Yes" or rng.random() < 0.85),
        qsr=qsr,
        auto_renew=pick("auto_renew", lambda: not evergreen and not second_plan and rng.random() < 0.6),
        notes=pick("notes", lambda: rng.choice((None, None, None, "PO required on renewal", "Net 45 terms"))),
        web=web,
        reseller=pick("reseller", lambda: not web and rng.random() < 0.08),
        era=pick("era", era),
        namespace_on=pick("namespace_on", lambda: _weighted(rng, {"both": 80, "sub": 8, "order": 12})),
        order_version=pick("order_version", lambda: "older" if rng.random() < 0.3 else "latest"),
        opp_ref=pick("opp_ref", lambda: _weighted(rng, {"id18": 75, "id15": 8, "url": 8, "none": 9})),
        predecessor=pick("predecessor", lambda: _weighted(rng, {None: 90, "renewal": 7, "entity": 3})
                         if state == "running" and not evergreen and deployment != "Storage" else None),
        status=pick("status", lambda: {"draft": "Draft", "future": rng.choice(("Active", "Pending Activation"))}
                    .get(state)),
        excluded=pins.get("excluded", False),
        invoice_recent=pick("invoice_recent", lambda: rng.random() < 0.7),
        seat_overage=pick("seat_overage", lambda: ("qsr" if qsr == "Yes" and rng.random() < 0.3 else
                                                   "older" if rng.random() < 0.04 else None)),
    )


def sample_customer(rng: random.Random, as_of: dt.date, catalog: Catalog, **pins: Any) -> CustomerSpec:
    """A realistic customer; pins fix `lines`, `crm`, `billing_sf`, `currency` or `extras`."""
    if "lines" in pins:
        lines = pins["lines"]
    elif rng.random() < 0.08:
        lines = ()
    else:
        count = _weighted(rng, {1: 82, 2: 15, 3: 3})
        chosen: list[str] = []
        while len(chosen) < count:
            deployment = _weighted(rng, {"SaaS": 52, "SM": 44, "Dedicated": 4})
            if deployment not in chosen:
                chosen.append(deployment)
        lines = tuple(sample_line(rng, as_of, catalog, deployment=d) for d in chosen)
        if "SaaS" in chosen and rng.random() < 0.2:
            lines += (sample_line(rng, as_of, catalog, deployment="Storage", state="running", web=True),)
    crm = pins.get("crm") or _weighted(rng, {"id18": 80, "id15": 8, "merged": 8, "merged2": 4})
    return CustomerSpec(
        lines=lines,
        crm=crm,
        billing_sf=pins.get("billing_sf") or _weighted(rng, {"same": 78, "survivor": 12, "empty": 10}),
        currency=pins.get("currency") or _weighted(rng, {"USD": 75, "EUR": 18, "GBP": 7}),
        extras=pins.get("extras", True),
    )
