"""The Zuora product catalog: products, rate plans, charges and price tiers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandbox.generator.clock import add_months, iso

if TYPE_CHECKING:
    from sandbox.generator.world_model import World

CURRENCIES = {"USD": 1.0, "EUR": 0.94, "GBP": 0.8}
BASE_TIERS = ("- Premium", "- Ultimate")
FOREVER = dt.date(2099, 12, 31)
PRODUCTS_SINCE = dt.date(2017, 1, 1)

# key, name, ProductTier__c, ProductDeployment__c, SKU
_PRODUCTS = (
    ("SaaS Premium", "GitLab Premium - SaaS", "SaaS - Premium", "GitLab.com", "SKU-00010101"),
    ("SaaS Ultimate", "GitLab Ultimate - SaaS", "SaaS - Ultimate", "GitLab.com", "SKU-00010102"),
    ("SM Premium", "GitLab Premium - Self-Managed", "Self-Managed - Premium", "Self-Managed", "SKU-00010201"),
    ("SM Ultimate", "GitLab Ultimate - Self-Managed", "Self-Managed - Ultimate", "Self-Managed", "SKU-00010202"),
    ("Dedicated Ultimate", "GitLab Dedicated", "Dedicated - Ultimate", "Dedicated", "SKU-00010302"),
    ("Storage", "Storage", "Storage", "GitLab.com", "SKU-00020001"),
    ("Compute", "Compute Minutes", "Other", "GitLab.com", "SKU-00020002"),
    ("Trueup", "Self-Managed True-Up", "Trueup", "Self-Managed", "SKU-00030001"),
)
# role, plan name, charge name, ChargeType, USD price per unit per year, era, term months
_PLANS = (
    ("SaaS Premium", "SaaS - Premium - 1 Year", "Premium SaaS - Seats", "Recurring", 228, "current", 12),
    ("SaaS Premium", "SaaS - Premium - 1 Year (Promo)", "Premium SaaS - Seats", "Recurring", 190, "promo", 12),
    ("SaaS Premium", "SaaS - Premium - 1 Year (Legacy)", "Premium SaaS - Seats", "Recurring", 228, "legacy", 12),
    ("SaaS Ultimate", "SaaS - Ultimate - 1 Year", "Ultimate SaaS - Seats", "Recurring", 1188, "current", 12),
    ("SaaS Ultimate", "SaaS - Ultimate - 1 Year (Legacy)", "Ultimate SaaS - Seats", "Recurring", 1188, "legacy", 12),
    ("SM Premium", "Self-Managed - Premium - 1 Year", "Premium Self-Managed - Seats", "Recurring", 228, "current", 12),
    ("SM Premium", "Self-Managed - Premium - 3 Year", "Premium Self-Managed - Seats", "Recurring", 228, "current", 36),
    ("SM Premium", "Self-Managed - Premium - 1 Year (Promo)", "Premium Self-Managed - Seats", "Recurring", 190,
     "promo", 12),
    ("SM Premium", "Self-Managed - Premium - 1 Year (Legacy)", "Premium Self-Managed - Seats", "Recurring", 228,
     "legacy", 12),
    ("SM Ultimate", "Self-Managed - Ultimate - 1 Year", "Ultimate Self-Managed - Seats", "Recurring", 1188,
     "current", 12),
    ("SM Ultimate", "Self-Managed - Ultimate - 3 Year", "Ultimate Self-Managed - Seats", "Recurring", 1188,
     "current", 36),
    ("SM Ultimate", "Self-Managed - Ultimate - 1 Year (Legacy)", "Ultimate Self-Managed - Seats", "Recurring", 1188,
     "legacy", 12),
    ("Dedicated Ultimate", "Dedicated - Ultimate - 1 Year", "Dedicated - Seats", "Recurring", 1188, "current", 12),
    ("Dedicated Ultimate", "Dedicated - Ultimate - 1 Year (Legacy)", "Dedicated - Seats", "Recurring", 1188,
     "legacy", 12),
    ("Storage", "Storage - 10 GiB - 1 Year", "Storage - 10 GiB", "Recurring", 60, "current", 12),
    ("Compute", "Compute Minutes - 1,000 units", "Compute Minutes - 1,000 units", "OneTime", 10, "current", 12),
    ("Trueup Premium", "Self-Managed - Premium - Trueup", "Premium True-Up", "OneTime", 228, "current", 12),
    ("Trueup Ultimate", "Self-Managed - Ultimate - Trueup", "Ultimate True-Up", "OneTime", 1188, "current", 12),
)


_PRICES = {(usd * 100, currency): round(usd * 100 * factor) for *_, usd, _era, _term in _PLANS
           for currency, factor in CURRENCIES.items()}


@dataclass(frozen=True)
class Plan:
    """A catalog ProductRatePlan with its single charge, as the generator uses it."""

    id: str
    charge_id: str
    name: str
    charge_name: str
    charge_type: str
    role: str
    tier: str
    sku: str
    era: str
    term_months: int
    usd_cents: int

    @property
    def is_base(self) -> bool:
        """Whether the plan's product is a licensed-seat (Premium or Ultimate) product."""
        return self.tier.endswith(BASE_TIERS)

    def cents(self, currency: str) -> int:
        """The price per unit per year in `currency`, in cents."""
        return _PRICES[(self.usd_cents, currency)]


class Catalog:
    """The generated catalog with lookups by role."""

    def __init__(self, plans: list[Plan], legacy_end: dt.date, promo_end: dt.date) -> None:
        self.plans = plans
        self.legacy_end = legacy_end
        self.promo_end = promo_end
        self.promo_start = add_months(promo_end, -12)
        self._by_role = {(p.role, p.era, p.term_months): p for p in plans}

    def plan(self, role: str, era: str = "current", term_months: int = 12) -> Plan:
        """The plan of a role (`SaaS Premium`, `Storage`, `Trueup Ultimate`…) for an era and term length."""
        return self._by_role.get((role, era, term_months)) or self._by_role[(role, era, 12)]

    def base_plan(self, deployment: str, tier: str, term_months: int, era: str) -> Plan:
        """The base plan of a deployment and tier (`Premium` / `Ultimate`)."""
        return self.plan(f"{deployment} {tier}", era, term_months)

    def era_for(self, start: dt.date) -> str:
        """The era of plan that a term starting on `start` is sold on by default."""
        return "legacy" if start < self.legacy_end else "current"

    def has_era(self, deployment: str, tier: str, era: str) -> bool:
        """Whether a base product has a plan of that era."""
        return (f"{deployment} {tier}", era, 12) in self._by_role


def build_catalog(world: World) -> Catalog:
    """Write the catalog records into `world` and return its lookups."""
    month = world.as_of.replace(day=1)
    legacy_end, promo_end = add_months(month, -24), add_months(month, -3)
    eras = {
        "current": (legacy_end, FOREVER),
        "legacy": (PRODUCTS_SINCE, legacy_end),
        "promo": (add_months(promo_end, -12), promo_end),
    }
    products = {}
    for key, name, tier, deployment, sku in _PRODUCTS:
        products[key] = world.add("zuora/Product", {
            "Id": world.ids.zuora(), "Name": name, "SKU": sku, "ProductTier__c": tier,
            "ProductDeployment__c": deployment, "EffectiveStartDate": iso(PRODUCTS_SINCE),
            "EffectiveEndDate": iso(FOREVER), **world.zuora_stamps(PRODUCTS_SINCE),
        })
    plans = []
    for role, name, charge_name, charge_type, price, era, term in _PLANS:
        product = products[role.split()[0] if role.startswith("Trueup") else role]
        tier, sku = product["ProductTier__c"], product["SKU"]
        start, end = eras[era] if tier.endswith(BASE_TIERS) else (PRODUCTS_SINCE, FOREVER)
        plan_record = world.add("zuora/ProductRatePlan", {
            "Id": world.ids.zuora(), "ProductId": product["Id"], "Name": name,
            "EffectiveStartDate": iso(start), "EffectiveEndDate": iso(end), **world.zuora_stamps(start),
        })
        charge = world.add("zuora/ProductRatePlanCharge", {
            "Id": world.ids.zuora(), "ProductRatePlanId": plan_record["Id"], "Name": charge_name,
            "ChargeType": charge_type, **world.zuora_stamps(start),
        })
        plan = Plan(plan_record["Id"], charge["Id"], name, charge_name, charge_type, role, tier, sku, era, term,
                    price * 100)
        for currency in CURRENCIES:
            world.add("zuora/ProductRatePlanChargeTier", {
                "Id": world.ids.zuora(), "ProductRatePlanChargeId": charge["Id"], "Currency": currency,
                "Price": plan.cents(currency) / 100, **world.zuora_stamps(start),
            })
        plans.append(plan)
    return Catalog(plans, legacy_end, promo_end)
