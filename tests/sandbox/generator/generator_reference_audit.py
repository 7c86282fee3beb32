"""A plain-Python reading of rules.md, used to check generated worlds against their ground truth."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from connectors.schema import SOURCE_OBJECTS, parse_datetime
from sandbox.world import read_manifest, read_records

TRIAL_PLANS = {"premium-saas-trial-plan-id", "ultimate-saas-trial-plan-id"}
FREE_PLAN = "free-plan-id"
DEPLOYMENTS = {"GitLab.com": "SaaS", "Self-Managed": "SM", "Dedicated": "Dedicated"}
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SF_ID = re.compile(r"([A-Za-z0-9]{18}|[A-Za-z0-9]{15})/?$")
DAY = dt.timedelta(days=1)
WHITESPACE = " \t\n\r\x0b\x0c"

Finding = tuple[str, str]


def to18(sf_id: str) -> str:
    """The 18-character form of a Salesforce id."""
    if len(sf_id) != 15:
        return sf_id
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(sf_id[chunk * 5:chunk * 5 + 5]) if "A" <= c <= "Z")
        suffix += _CHECKSUM[bits]
    return sf_id + suffix


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _in_effect(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return start is not None and start <= day and (end is None or day < end)


def _compared(record: dict) -> dict:
    """A record with its values as rules.md compares them: text trimmed of surrounding whitespace, blank text empty."""
    return {key: (value.strip(WHITESPACE) or None) if isinstance(value, str) else value
            for key, value in record.items()}


def _group(records: list[dict], key: str) -> defaultdict[object, list[dict]]:
    grouped: defaultdict[object, list[dict]] = defaultdict(list)
    for record in records:
        grouped[record.get(key)].append(record)
    return grouped


class ReferenceAudit:
    """The rules of rules.md evaluated over one world directory."""

    def __init__(self, path: Path) -> None:
        self.d = dt.date.fromisoformat(read_manifest(path).as_of)
        r = {f"{o.system}/{o.name}": [_compared(record) for record in read_records(path, o)] for o in SOURCE_OBJECTS}
        self.r = r
        self.products = {p["Id"]: p for p in r["zuora/Product"]}
        self.prps = {p["Id"]: p for p in r["zuora/ProductRatePlan"]}
        self.prpc_product = {c["Id"]: self.products[self.prps[c["ProductRatePlanId"]]["ProductId"]]
                             for c in r["zuora/ProductRatePlanCharge"]}
        self.sf_accounts = {a["Id"]: a for a in r["salesforce/Account"]}
        self.accounts = {a["Id"]: a for a in r["zuora/Account"]}
        self.version_name = {s["Id"]: s["Name"] for s in r["zuora/Subscription"]}
        latest = {name: max(rows, key=lambda s: s["Version"])
                  for name, rows in _group(r["zuora/Subscription"], "Name").items()}
        self.excluded = {name for name, s in latest.items() if s.get("ExcludeFromAnalysis__c") == "True"}
        self.subs = {name: s for name, s in latest.items() if name not in self.excluded}
        self.rate_plans = _group(r["zuora/RatePlan"], "SubscriptionId")
        self.charges = _group(r["zuora/RatePlanCharge"], "RatePlanId")
        self.paid = {name for name, s in self.subs.items() if self.base_plans(s)}
        self.forced = {name for name in self.paid if self.in_force(self.subs[name])}
        self.dep = {name: self.deployment(self.subs[name]) for name in self.paid}
        orders = [o for o in r["customersdot/orders"] if o.get("subscription_name") not in self.excluded]
        self.active = [o for o in orders if not self.is_trial(o) and o.get("product_rate_plan_id") != FREE_PLAN
                       and _in_effect(_date(o.get("start_date")), _date(o.get("end_date")), self.d)]
        self.active_by = _group(self.active, "subscription_name")
        licenses = [x for x in r["customersdot/licenses"] if x.get("zuora_subscription_name") not in self.excluded]
        self.licenses = licenses
        self.licenses_by = _group(licenses, "zuora_subscription_name")
        self.activations = {a.get("subscription_name") for a in r["customersdot/cloud_activations"]}

    # common definitions

    def resolve(self, sf_id: str | None) -> str | None:
        """A Salesforce id out of a URL, in 18 characters, merges followed."""
        if not sf_id:
            return None
        match = _SF_ID.search(sf_id.strip())
        if not match:
            return sf_id
        current, seen = to18(match.group(1)), set()
        while self.sf_accounts.get(current, {}).get("MasterRecordId") and current not in seen:
            seen.add(current)
            current = to18(self.sf_accounts[current]["MasterRecordId"])
        return current

    def exists(self, resolved: str | None) -> bool:
        """Whether a resolved id names a live (non-deleted) Salesforce account."""
        return resolved in self.sf_accounts and not self.sf_accounts[resolved].get("IsDeleted")

    def is_base(self, prp_id: str) -> bool:
        """Whether a product rate plan belongs to a Premium or Ultimate product."""
        prp = self.prps.get(prp_id)
        tier = self.products[prp["ProductId"]].get("ProductTier__c", "") if prp else ""
        return tier.endswith(("- Premium", "- Ultimate"))

    def base_plans(self, s: dict) -> list[str]:
        """The base product rate plan ids on a version's rate plans."""
        return [rp["ProductRatePlanId"] for rp in self.rate_plans[s["Id"]] if self.is_base(rp["ProductRatePlanId"])]

    def deployment(self, s: dict) -> frozenset[str]:
        """The deployments of a version's base products."""
        return frozenset(DEPLOYMENTS[self.products[self.prps[p]["ProductId"]]["ProductDeployment__c"]]
                         for p in self.base_plans(s))

    @staticmethod
    def end(s: dict) -> dt.date | None:
        """End(S) of a latest version."""
        if s["Status"] == "Cancelled":
            return _date(s.get("SubscriptionEndDate"))
        return None if s.get("TermType") == "EVERGREEN" else _date(s.get("TermEndDate"))

    def in_force(self, s: dict) -> bool:
        """Whether a latest version is in force on D."""
        end = self.end(s)
        return s["Status"] in ("Active", "Cancelled") and _date(s["TermStartDate"]) <= self.d and (
            end is None or self.d < end)

    def seats(self, s: dict, plan: str | None = None) -> int:
        """Seats(S, P), or Seats(S) without a plan."""
        ref = max(self.d, _date(s["TermStartDate"]))
        return sum(
            c["Quantity"] for rp in self.rate_plans[s["Id"]]
            if (rp["ProductRatePlanId"] == plan if plan else self.is_base(rp["ProductRatePlanId"]))
            for c in self.charges[rp["Id"]]
            if c["ChargeType"] == "Recurring"
            and _in_effect(_date(c.get("EffectiveStartDate")), _date(c.get("EffectiveEndDate")), ref)
        )

    @staticmethod
    def is_trial(order: dict) -> bool:
        """Whether an order is a trial order."""
        return bool(order.get("trial")) or order.get("product_rate_plan_id") in TRIAL_PLANS

    def current_license(self, name: str) -> dict | None:
        """The current license of a subscription name."""
        candidates = [x for x in self.licenses_by[name] if not x.get("trial")
                      and _date(x["starts_at"]) <= self.d and x["starts_at"] < x["expires_at"]]
        return max(candidates, key=lambda x: (x["starts_at"], x["id"]), default=None)

    def of(self, deployment: str) -> list[str]:
        """The paid subscriptions in force of one deployment."""
        return [n for n in self.forced if self.dep[n] == frozenset({deployment})]

    # rule groups

    def provisioning(self) -> set[Finding]:
        """Zuora ↔ CustomersDot orders."""
        found = {("subscription_missing_order", n) for n in self.forced
                 if self.dep[n] & {"SaaS", "SM"} and not self.active_by[n]}
        for o in self.active:
            name, oid, plan = o.get("subscription_name"), str(o["id"]), o.get("product_rate_plan_id")
            if plan not in self.prps:
                found.add(("unknown_product_rate_plan", oid))
            s = self.subs.get(name)
            if s is None:
                found.add(("order_without_subscription", oid))
            elif not self.in_force(s):
                if _date(s["TermStartDate"]) <= self.d:
                    found.add(("order_outlives_subscription", oid))
            else:
                if plan in self.prps and plan not in {rp["ProductRatePlanId"] for rp in self.rate_plans[s["Id"]]}:
                    found.add(("rate_plan_mismatch", oid))
                if plan in self.base_plans(s) and o.get("quantity") != self.seats(s, plan):
                    found.add(("seat_count_mismatch", oid))
                term = (_date(s["TermStartDate"]), self.end(s))
                if s.get("TermType") == "TERMED" and (_date(o.get("start_date")), _date(o.get("end_date"))) != term:
                    found.add(("term_mismatch", oid))
        for name in self.of("SaaS"):
            ns, orders = self.subs[name].get("GitLabNamespaceId__c"), self.active_by[name]
            if orders and not ns and all(not o.get("gl_namespace_id") for o in orders):
                found.add(("saas_subscription_without_namespace", name))
            if ns and any(o.get("gl_namespace_id") and o["gl_namespace_id"] != ns for o in orders):
                found.add(("namespace_mismatch", name))
        return found

    def licensing(self) -> set[Finding]:
        """Zuora ↔ CustomersDot licenses, activations and seat links."""
        found: set[Finding] = set()
        links = _group(self.r["customersdot/license_seat_links"], "zuora_subscription_name")
        for name in self.of("SM"):
            s, current = self.subs[name], self.current_license(name)
            if current is None and name not in self.activations:
                found.add(("sm_subscription_without_license", name))
            if current is not None:
                if current.get("users_count") != self.seats(s):
                    found.add(("license_seat_mismatch", name))
                term_end, expires = _date(s.get("TermEndDate")), _date(current["expires_at"])
                if term_end and expires < term_end and expires < self.d + 30 * DAY:
                    found.add(("license_expires_before_term", name))
                if s.get("TurnOnCloudLicensing__c") == "Yes" and name not in self.activations:
                    found.add(("cloud_licensing_mismatch", name))
            if links[name]:
                last = max(links[name], key=lambda link: parse_datetime(link["report_timestamp"]))
                if last["max_historical_user_count"] > self.seats(s) and s.get("TurnOnSeatReconciliation__c") != "Yes":
                    found.add(("unbilled_seat_overage", name))
        for x in self.licenses:
            if not x.get("trial"):
                if _date(x["expires_at"]) > self.d and x.get("zuora_subscription_name") not in self.subs:
                    found.add(("license_without_subscription", str(x["id"])))
                if x["starts_at"] >= x["expires_at"]:
                    found.add(("license_dates_invalid", str(x["id"])))
        return found

    def crm(self) -> set[Finding]:
        """Salesforce ↔ Zuora ↔ CustomersDot."""
        found: set[Finding] = set()
        for name in self.forced:
            account = self.accounts[self.subs[name]["AccountId"]]
            if not self.exists(self.resolve(account.get("CrmId"))):
                found.add(("crm_account_link_broken", account["AccountNumber"]))
        for ba in self.r["customersdot/billing_accounts"]:
            account = self.accounts.get(ba.get("zuora_account_id"))
            crm = self.resolve(account.get("CrmId")) if account else None
            linked = self.resolve(ba.get("salesforce_account_id"))
            if linked and self.exists(crm) and linked != crm:
                found.add(("crm_account_mismatch", str(ba["id"])))
        booked = {self.resolve(s.get("OpportunityId__c")) for s in self.r["zuora/Subscription"]
                  if s.get("OpportunityId__c") and s["Name"] not in self.excluded}
        booked |= {self.resolve(q.get("zqu__Opportunity__c")) for q in self.r["salesforce/zqu__Quote__c"]
                   if not q.get("IsDeleted") and q.get("zqu__Primary__c") and q.get("zqu__Status__c") ==
                   "Sent to Z-Billing" and q.get("zqu__Subscription_Name__c") in self.subs}
        for o in self.won():
            if (o.get("Type") in ("New Business", "Add-On Business", "Renewal") and not o.get("Web_Portal_Purchase__c")
                    and Decimal(str(o.get("Amount") or 0)) > 0 and _date(o["CloseDate"]) <= self.d - 7 * DAY
                    and self.resolve(o["Id"]) not in booked):
                found.add(("closed_won_not_booked", o["Id"]))
        return found

    def won(self) -> list[dict]:
        """Closed Won opportunities that are not ignored."""
        return [o for o in self.r["salesforce/Opportunity"]
                if not o.get("IsDeleted") and o.get("StageName") == "Closed Won"]

    def billing(self) -> set[Finding]:
        """Invoices against opportunities, entitlements and subscriptions."""
        found: set[Finding] = set()
        invoices = {i["Id"]: i for i in self.r["zuora/Invoice"]}
        posted = {i["InvoiceNumber"]: i for i in invoices.values() if i["Status"] == "Posted"}
        for o in self.won():
            number, amount = o.get("Invoice_Number__c"), Decimal(str(o.get("Amount") or 0))
            if number and _date(o["CloseDate"]) <= self.d - 7 * DAY and number not in posted:
                found.add(("opportunity_invoice_missing", o["Id"]))
            if number in posted and o.get("Amount") is not None and abs(
                    Decimal(str(posted[number]["AmountWithoutTax"])) - amount) > max(Decimal("1.00"), amount / 100):
                found.add(("invoice_amount_mismatch", o["Id"]))
        items = _group(self.r["zuora/InvoiceItem"], "InvoiceId")
        for invoice in posted.values():
            if Decimal(str(invoice.get("Balance") or 0)) > 0 and _date(invoice["DueDate"]) < self.d - 30 * DAY:
                names = {self.version_name.get(item.get("SubscriptionId")) for item in items[invoice["Id"]]}
                if any(n in self.subs and (self.active_by[n] or self.entitled(n)) for n in names):
                    found.add(("overdue_invoice_on_active_entitlement", invoice["InvoiceNumber"]))
        invoiced = defaultdict(list)
        for item in self.r["zuora/InvoiceItem"]:
            invoice = invoices.get(item["InvoiceId"])
            if invoice and invoice["Status"] == "Posted" and item.get("SubscriptionId") in self.version_name:
                invoiced[self.version_name[item["SubscriptionId"]]].append(_date(item.get("ServiceStartDate")))
        for name in self.forced:
            start = _date(self.subs[name]["TermStartDate"])
            if start <= self.d - 30 * DAY and not any(day and day >= start for day in invoiced[name]):
                found.add(("subscription_not_invoiced", name))
        return found

    def entitled(self, name: str) -> bool:
        """Whether a subscription has a current license that has not expired."""
        current = self.current_license(name)
        return current is not None and _date(current["expires_at"]) > self.d

    def catalog(self) -> set[Finding]:
        """Catalog drift: retired plans sold, invoice SKUs."""
        found = {("retired_rate_plan_sold", n) for n in self.forced
                 if any((_date(self.prps[p].get("EffectiveEndDate")) or dt.date.max) <= _date(
                     self.subs[n]["TermStartDate"]) for p in self.base_plans(self.subs[n]))}
        invoices = {i["Id"]: i for i in self.r["zuora/Invoice"]}
        for item in self.r["zuora/InvoiceItem"]:
            invoice = invoices.get(item["InvoiceId"])
            product = self.prpc_product.get(item.get("ProductRatePlanChargeId"))
            if (invoice and invoice["Status"] == "Posted" and product and product.get("SKU")
                    and product["SKU"] != item.get("SKU")
                    and self.d - 365 * DAY <= _date(invoice["InvoiceDate"]) <= self.d):
                found.add(("invoice_sku_mismatch", item["Id"]))
        return found

    def hygiene(self) -> set[Finding]:
        """Duplicate groups, failing renewals, unlinked renewals, long trials."""
        found: set[Finding] = set()
        by_namespace = defaultdict(set)
        for name in self.of("SaaS"):
            ns = self.subs[name].get("GitLabNamespaceId__c") or next(
                (o["gl_namespace_id"] for o in self.active_by[name] if o.get("gl_namespace_id")), None)
            if ns:
                by_namespace[ns].add(name)
        found |= {("duplicate_namespace_subscriptions", ns) for ns, names in by_namespace.items() if len(names) > 1}
        for name in self.forced:
            s = self.subs[name]
            if (s.get("TermType") == "TERMED" and s["Status"] == "Active" and s.get("TurnOnAutoRenew__c") == "Yes"
                    and _date(s["TermEndDate"]) < self.d + 30 * DAY
                    and (len(set(self.base_plans(s))) >= 2 or "RENEWAL_ERROR" in (s.get("Notes") or ""))):
                found.add(("auto_renew_will_fail", name))
        for name in self.paid - self.forced:
            s, end = self.subs[name], self.end(self.subs[name])
            if end is None or not self.d - 60 * DAY <= end < self.d or s.get("Renewal_Subscription__c__c"):
                continue
            crm = self.resolve(self.accounts[s["AccountId"]].get("CrmId"))
            for other in self.forced:
                t = self.subs[other]
                party = t["AccountId"] == s["AccountId"] or (
                    crm is not None and self.resolve(self.accounts[t["AccountId"]].get("CrmId")) == crm)
                if party and self.dep[other] == self.dep[name] and abs(
                        (_date(t["SubscriptionStartDate"]) - end).days) <= 30:
                    found.add(("renewal_not_linked", name))
        for o in self.r["customersdot/orders"]:
            start, stop = _date(o.get("start_date")), _date(o.get("end_date"))
            if self.is_trial(o) and _in_effect(start, stop, self.d) and (stop is None or (stop - start).days > 30):
                found.add(("trial_too_long", str(o["id"])))
        return found


def audit(path: Path) -> set[Finding]:
    """The (rule_id, subject_id) findings of the world at `path`, per rules.md."""
    a = ReferenceAudit(path)
    return a.provisioning() | a.licensing() | a.crm() | a.billing() | a.catalog() | a.hygiene()
