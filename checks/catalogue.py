"""The rule catalogue (rules.md, v1): one entry per rule, its SQL in `checks/rules/<id>.sql`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

RULES_DIR = Path(__file__).parent / "rules"
CATEGORIES = ("provisioning", "sm_licensing", "crm", "billing", "catalog", "hygiene")
SEVERITIES = ("critical", "high", "medium", "low")
GLOBAL_SETTINGS: Mapping[str, object] = MappingProxyType({"excluded_zuora_accounts": ()})


@dataclass(frozen=True)
class Rule:
    """One audit rule: what it examines, when it finds, how severe it is, what to do, and its SQL file."""

    id: str
    category: str
    severity: str
    subject: str
    examines: str
    description: str
    summary_template: str
    suggested_action: str
    settings: Mapping[str, object] = field(default_factory=dict)

    @property
    def sql_path(self) -> Path:
        """The rule's SQL: one row per examined subject, `failed` marking the findings."""
        return RULES_DIR / f"{self.id}.sql"

    @property
    def sql(self) -> str:
        """The text of the rule's SQL file."""
        return self.sql_path.read_text(encoding="utf-8")

    @property
    def summary_line(self) -> str:
        """One line for UIs: the subject and when it is a finding."""
        return f"One finding per {self.subject}: {self.description}."


RULES: tuple[Rule, ...] = (
    # Provisioning: Zuora <-> CustomersDot
    Rule(
        "subscription_missing_order", "provisioning", "critical", "subscription name",
        "paid SaaS and SM subscriptions in force on D",
        "paid SaaS or SM subscription in force on D with no active order whose subscription_name is its name",
        "Zuora {subscription_name} ({zuora[deployment]}, {zuora[seats]} seats) is in force since "
        "{zuora[TermStartDate]}; CustomersDot has no active order for it (its orders: {customersdot[order_ids]})",
        "check the CustomersDot billing account's zuora_account_id; re-create the order from Zuora",
    ),
    Rule(
        "order_without_subscription", "provisioning", "high", "order id",
        "active orders",
        "active order whose subscription_name is no Zuora subscription",
        "CustomersDot order {order_id} is active for subscription {customersdot[subscription_name]}, "
        "which Zuora does not have",
        "find the subscription in Zuora, or end the order (entitlement without billing)",
    ),
    Rule(
        "order_outlives_subscription", "provisioning", "high", "order id",
        "active orders of an existing subscription",
        "active order whose subscription is not in force on D and does not start after D "
        "(its latest version's TermStartDate <= D)",
        "CustomersDot order {order_id} is active ({customersdot[start_date]} to {customersdot[end_date]}); "
        "Zuora {subscription_name} is {zuora[Status]} and not in force (end {zuora[end]})",
        "end or re-sync the order; check for a renewal booked under a new name",
    ),
    Rule(
        "saas_subscription_without_namespace", "provisioning", "critical", "subscription name",
        "paid SaaS subscriptions in force with at least one active order",
        "paid SaaS subscription in force with at least one active order, GitLabNamespaceId__c empty, "
        "and every active order's gl_namespace_id empty",
        "Zuora {subscription_name} has no GitLabNamespaceId__c and its active CustomersDot orders "
        "{customersdot[order_ids]} have no gl_namespace_id",
        "ask the customer to link a group, or force-associate after checking seats",
    ),
    Rule(
        "namespace_mismatch", "provisioning", "high", "subscription name",
        "paid SaaS subscriptions in force with GitLabNamespaceId__c set",
        "paid SaaS subscription in force whose GitLabNamespaceId__c is set and differs from a set "
        "gl_namespace_id of one of its active orders",
        "Zuora {subscription_name} is on namespace {zuora[GitLabNamespaceId__c]}; CustomersDot order "
        "{order_id} is on namespace {customersdot[gl_namespace_id]}",
        "confirm the right top-level group; re-associate",
    ),
    Rule(
        "rate_plan_mismatch", "provisioning", "high", "order id",
        "active orders of subscriptions in force",
        "active order of a subscription in force whose product_rate_plan_id is in the Zuora catalog but on "
        "none of the latest version's rate plans",
        "CustomersDot order {order_id} is on {customersdot[plan]}; Zuora {subscription_name} has "
        "{zuora[rate_plans]}",
        "re-sync the order from Zuora (plan changed by amendment)",
    ),
    Rule(
        "seat_count_mismatch", "provisioning", "high", "order id",
        "active orders of subscriptions in force on a base rate plan of the latest version",
        "active order of a subscription in force, on a base rate plan P of its latest version, with "
        "quantity != Seats(S, P)",
        "Zuora {subscription_name} has {zuora[plan_seats]} seats of {zuora[plan]}; CustomersDot order {order_id} "
        "has {customersdot[quantity]}",
        "re-sync the order; check mid-term add-on seats",
    ),
    Rule(
        "term_mismatch", "provisioning", "medium", "order id",
        "active orders of TERMED subscriptions in force",
        "active order of a TERMED subscription in force whose (start_date, end_date) differ from "
        "(TermStartDate, End(S)) of its latest version",
        "Zuora {subscription_name} runs {zuora[TermStartDate]} to {zuora[end]}; CustomersDot order {order_id} "
        "runs {customersdot[start_date]} to {customersdot[end_date]}",
        "re-sync the order's term from Zuora",
    ),
    # Self-managed licensing: Zuora <-> CustomersDot licenses
    Rule(
        "sm_subscription_without_license", "sm_licensing", "high", "subscription name",
        "paid SM subscriptions in force",
        "paid SM subscription in force with no current license and no cloud activation with its name",
        "Zuora {subscription_name} ({zuora[seats]} seats of {zuora[base_plans]}) is in force; CustomersDot has "
        "no current license (licenses of that name: {customersdot[license_ids]}) and no cloud activation",
        "generate the license or the activation code",
    ),
    Rule(
        "license_without_subscription", "sm_licensing", "low", "license id",
        "non-trial licenses with expires_at > D whose dates are not invalid",
        "non-trial license with expires_at > D whose zuora_subscription_name is empty or no Zuora subscription",
        "CustomersDot license {license_id} ({customersdot[users_count]} users, until {customersdot[expires_at]}) "
        "names subscription {customersdot[zuora_subscription_name]}, which Zuora does not have",
        "link it to its subscription, or note why it exists (NFR, partner)",
    ),
    Rule(
        "license_seat_mismatch", "sm_licensing", "high", "subscription name",
        "paid SM subscriptions in force with a current license",
        "paid SM subscription in force whose current license has users_count != Seats(S)",
        "Zuora {subscription_name} has {zuora[seats]} seats; CustomersDot license {license_id} has "
        "{customersdot[users_count]} users",
        "issue a license with the purchased seats",
    ),
    Rule(
        "license_expires_before_term", "sm_licensing", "high", "subscription name",
        "paid SM subscriptions in force with a current license",
        "paid SM subscription in force whose current license expires before TermEndDate and before "
        "D + license_expiry_window_days",
        "Zuora {subscription_name} runs until {zuora[TermEndDate]}; its current CustomersDot license "
        "{license_id} expires {customersdot[expires_at]}",
        "issue the next license slice (multi-year legacy licenses cover one year)",
        {"license_expiry_window_days": 30},
    ),
    Rule(
        "license_dates_invalid", "sm_licensing", "medium", "license id",
        "non-trial licenses",
        "non-trial license with starts_at >= expires_at",
        "CustomersDot license {license_id} of {customersdot[zuora_subscription_name]} starts "
        "{customersdot[starts_at]} and expires {customersdot[expires_at]}",
        "regenerate the license with valid dates",
    ),
    Rule(
        "cloud_licensing_mismatch", "sm_licensing", "medium", "subscription name",
        "paid SM subscriptions in force with TurnOnCloudLicensing__c = 'Yes' and a current license",
        "paid SM subscription in force with TurnOnCloudLicensing__c = 'Yes', a current license, and no cloud "
        "activation with its name",
        "Zuora {subscription_name} has TurnOnCloudLicensing__c = {zuora[TurnOnCloudLicensing__c]}; "
        "CustomersDot has license {license_id} but no cloud activation",
        "switch the subscription to cloud licensing and send the activation code",
    ),
    Rule(
        "unbilled_seat_overage", "sm_licensing", "medium", "subscription name",
        "paid SM subscriptions in force with a seat link",
        "paid SM subscription in force whose latest seat link (highest report_timestamp) has "
        "max_historical_user_count > Seats(S) while TurnOnSeatReconciliation__c != 'Yes'",
        "Zuora {subscription_name} has {zuora[seats]} seats and TurnOnSeatReconciliation__c = "
        "{zuora[TurnOnSeatReconciliation__c]}; its latest seat link reports "
        "{customersdot[max_historical_user_count]} users at most",
        "open a case with Sales: overage and QSR off",
    ),
    # CRM: Salesforce <-> Zuora <-> CustomersDot
    Rule(
        "crm_account_link_broken", "crm", "medium", "Zuora account number",
        "Zuora accounts of paid subscriptions in force",
        "account of a paid subscription in force whose CrmId is empty or resolves to no existing "
        "(non-deleted) Salesforce account",
        "Zuora account {zuora_account_number} has CrmId {zuora[CrmId]}; Salesforce has no live account "
        "{salesforce[resolved_id]}",
        "set the Salesforce account on the Zuora account (Billing Ops)",
    ),
    Rule(
        "crm_account_mismatch", "crm", "medium", "CustomersDot billing account id",
        "billing accounts with salesforce_account_id set whose Zuora account's CrmId resolves",
        "billing account whose salesforce_account_id is set and resolves to a different account than the "
        "CrmId of its Zuora account",
        "CustomersDot billing account {billing_account_id} points at Salesforce account "
        "{customersdot[resolved_id]}; Zuora account {zuora_account_number} points at {zuora[resolved_id]}",
        "correct the billing account's Salesforce link (Sales Ops)",
    ),
    Rule(
        "closed_won_not_booked", "crm", "high", "opportunity id",
        "Closed Won opportunities of type New Business, Add-On Business or Renewal, not web-portal purchases, "
        "Amount > 0, closed at least closed_won_grace_days before D",
        "Closed Won opportunity with no Zuora subscription whose OpportunityId__c resolves to it and no primary "
        "'Sent to Z-Billing' quote naming an existing Zuora subscription",
        "Salesforce opportunity {sf_opportunity_id} ({salesforce[Type]}, {salesforce[Amount]}) closed won on "
        "{salesforce[CloseDate]}; Zuora has no subscription for it",
        "book the quote in Zuora, or correct the opportunity link",
        {"closed_won_grace_days": 7},
    ),
    # Billing: invoices
    Rule(
        "opportunity_invoice_missing", "billing", "medium", "opportunity id",
        "Closed Won opportunities with Invoice_Number__c set, closed at least closed_won_grace_days before D",
        "Closed Won opportunity with CloseDate <= D - closed_won_grace_days, Invoice_Number__c set, and no "
        "Posted Zuora invoice of that number",
        "Salesforce opportunity {sf_opportunity_id} names invoice {invoice_number}; Zuora has no Posted invoice "
        "of that number (statuses found: {zuora[statuses]})",
        "find the invoice, or correct the opportunity's invoice number",
        {"closed_won_grace_days": 7},
    ),
    Rule(
        "invoice_amount_mismatch", "billing", "medium", "opportunity id",
        "Closed Won opportunities whose Invoice_Number__c names a Posted invoice",
        "Closed Won opportunity whose Invoice_Number__c names a Posted invoice with "
        "abs(AmountWithoutTax - Amount) > max(invoice_tolerance_abs, invoice_tolerance_pct % of Amount)",
        "Salesforce opportunity {sf_opportunity_id} has Amount {salesforce[Amount]}; Zuora invoice "
        "{invoice_number} has AmountWithoutTax {zuora[AmountWithoutTax]}",
        "reconcile the booking with Billing",
        {"invoice_tolerance_abs": Decimal("1.00"), "invoice_tolerance_pct": Decimal("1")},
    ),
    Rule(
        "overdue_invoice_on_active_entitlement", "billing", "medium", "invoice number",
        "Posted invoices with an item that is not ignored",
        "Posted invoice with Balance > 0 and DueDate < D - overdue_days, with an item whose subscription has "
        "an active order or a current license that has not expired",
        "Zuora invoice {invoice_number} has Balance {zuora[Balance]} due {zuora[DueDate]}; CustomersDot still "
        "entitles {subscription_name} (orders: {customersdot[orders]}; licenses: {customersdot[licenses]})",
        "check with Billing / AR before the next license or renewal",
        {"overdue_days": 30},
    ),
    Rule(
        "subscription_not_invoiced", "billing", "medium", "subscription name",
        "paid subscriptions in force with TermStartDate <= D - not_invoiced_days",
        "paid subscription in force with TermStartDate <= D - not_invoiced_days and no item on a Posted invoice "
        "for any version of it with ServiceStartDate >= TermStartDate",
        "Zuora {subscription_name} started its term {zuora[TermStartDate]}; no Posted invoice bills it since "
        "(latest item service start: {zuora[latest_service_start]})",
        "ask Billing why the term was not invoiced",
        {"not_invoiced_days": 30},
    ),
    # Catalog: SKUs and rate plans
    Rule(
        "unknown_product_rate_plan", "catalog", "medium", "order id",
        "active orders",
        "active order whose product_rate_plan_id is no Zuora ProductRatePlan",
        "CustomersDot order {order_id} is on product_rate_plan_id {customersdot[product_rate_plan_id]}, "
        "which is not in the Zuora catalog",
        "map the order to a catalog rate plan (catalog drift)",
    ),
    Rule(
        "retired_rate_plan_sold", "catalog", "low", "subscription name",
        "paid subscriptions in force",
        "paid subscription in force whose latest version has a base rate plan whose ProductRatePlan "
        "EffectiveEndDate <= TermStartDate",
        "Zuora {subscription_name} started its term {zuora[TermStartDate]} on retired rate plans "
        "{zuora[retired_plans]}",
        "move the subscription to a current SKU at renewal",
    ),
    Rule(
        "invoice_sku_mismatch", "catalog", "low", "invoice item id",
        "items of Posted invoices dated within 365 days before D whose ProductRatePlanChargeId belongs to a "
        "catalog product",
        "item on a Posted invoice dated within 365 days before D whose ProductRatePlanChargeId belongs to a "
        "catalog product whose SKU differs from the item's SKU",
        "Zuora invoice {invoice_number} bills SKU {zuora[SKU]} for {zuora[ChargeName]}; the catalog product "
        "{zuora[product]} has SKU {zuora[catalog_sku]}",
        "correct the catalog or the invoice template",
    ),
    # Subscription hygiene
    Rule(
        "duplicate_namespace_subscriptions", "hygiene", "medium", "namespace id",
        "namespaces of paid SaaS subscriptions in force",
        "two or more paid SaaS subscriptions in force on the same namespace (GitLabNamespaceId__c, else its "
        "active orders' gl_namespace_id)",
        "Namespace {namespace_id} has {zuora[count]} paid SaaS subscriptions in force: {zuora[subscriptions]}",
        "Sales credits one and re-books it as an add-on",
    ),
    Rule(
        "auto_renew_will_fail", "hygiene", "high", "subscription name",
        "paid TERMED Active subscriptions in force with TurnOnAutoRenew__c = 'Yes' and "
        "TermEndDate < D + auto_renew_window_days",
        "paid TERMED subscription in force, latest version Active, TurnOnAutoRenew__c = 'Yes', "
        "TermEndDate < D + auto_renew_window_days, and either two or more distinct base ProductRatePlans on "
        "its latest version or RENEWAL_ERROR in Notes",
        "Zuora {subscription_name} auto-renews on {zuora[TermEndDate]} with base plans {zuora[base_plans]} "
        "and notes {zuora[Notes]}",
        "renewal case: the customer updates the card or Sales renews by hand",
        {"auto_renew_window_days": 30},
    ),
    Rule(
        "renewal_not_linked", "hygiene", "high", "subscription name (the ended one)",
        "paid subscriptions not in force whose End(S) falls in [D - renewal_lookback_days, D)",
        "paid subscription ended in [D - renewal_lookback_days, D) with Renewal_Subscription__c__c empty, while "
        "another paid subscription in force with the same deployment, on the same Zuora account or the same "
        "resolved CrmId, has a SubscriptionStartDate within renewal_start_window_days of that End(S)",
        "Zuora {subscription_name} ended {zuora[end]} without Renewal_Subscription__c__c; "
        "{zuora[renewals]} started within {zuora[window_days]} days of it",
        "link the renewal; re-associate the namespace or license before access lapses",
        {"renewal_lookback_days": 60, "renewal_start_window_days": 30},
    ),
    Rule(
        "trial_too_long", "hygiene", "low", "order id",
        "trial orders in effect on D",
        "trial order in effect on D lasting more than trial_max_days (end_date - start_date; no end_date "
        "counts as longer)",
        "CustomersDot trial order {order_id} runs {customersdot[start_date]} to {customersdot[end_date]} "
        "({customersdot[days]} days)",
        "check the approval for the trial extension",
        {"trial_max_days": 30},
    ),
)


def rule(rule_id: str) -> Rule:
    """The catalogue entry of `rule_id`."""
    for candidate in RULES:
        if candidate.id == rule_id:
            return candidate
    raise KeyError(f"no rule {rule_id}")


def default_settings() -> dict[str, object]:
    """Every setting with its default: the global ones and those of each rule (shared names agree)."""
    defaults = dict(GLOBAL_SETTINGS)
    for entry in RULES:
        for name, value in entry.settings.items():
            if defaults.setdefault(name, value) != value:
                raise ValueError(f"setting {name} has two defaults in the catalogue")
    return defaults
