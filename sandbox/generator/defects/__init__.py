"""One defect injector per audit rule; each injected defect yields exactly its rule's finding.

An injector is a module named after its rule id, with `RULE_ID` and `inject(world, instance) -> subject_id`:
it builds its own host customer (see `sandbox.generator.hosts`), so every defect sits on distinct records
that are otherwise clean, breaks exactly what its rule checks (`instance` picks the variant), and returns the
rule's subject. Adding a rule is one module here and one entry in `INJECTORS`.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.generator.defects import (
    auto_renew_will_fail,
    closed_won_not_booked,
    cloud_licensing_mismatch,
    crm_account_link_broken,
    crm_account_mismatch,
    duplicate_namespace_subscriptions,
    invoice_amount_mismatch,
    invoice_sku_mismatch,
    license_dates_invalid,
    license_expires_before_term,
    license_seat_mismatch,
    license_without_subscription,
    namespace_mismatch,
    opportunity_invoice_missing,
    order_outlives_subscription,
    order_without_subscription,
    overdue_invoice_on_active_entitlement,
    rate_plan_mismatch,
    renewal_not_linked,
    retired_rate_plan_sold,
    saas_subscription_without_namespace,
    seat_count_mismatch,
    sm_subscription_without_license,
    subscription_missing_order,
    subscription_not_invoiced,
    term_mismatch,
    trial_too_long,
    unbilled_seat_overage,
    unknown_product_rate_plan,
)
from sandbox.generator.world_model import World

Injector = Callable[[World, int], str]

INJECTORS: dict[str, Injector] = {
    module.RULE_ID: module.inject
    for module in (
        subscription_missing_order,
        order_without_subscription,
        order_outlives_subscription,
        saas_subscription_without_namespace,
        namespace_mismatch,
        rate_plan_mismatch,
        seat_count_mismatch,
        term_mismatch,
        sm_subscription_without_license,
        license_without_subscription,
        license_seat_mismatch,
        license_expires_before_term,
        license_dates_invalid,
        cloud_licensing_mismatch,
        unbilled_seat_overage,
        crm_account_link_broken,
        crm_account_mismatch,
        closed_won_not_booked,
        opportunity_invoice_missing,
        invoice_amount_mismatch,
        overdue_invoice_on_active_entitlement,
        subscription_not_invoiced,
        unknown_product_rate_plan,
        retired_rate_plan_sold,
        invoice_sku_mismatch,
        duplicate_namespace_subscriptions,
        auto_renew_will_fail,
        renewal_not_linked,
        trial_too_long,
    )
}


def inject_defects(world: World, per_rule: int) -> list[tuple[str, str]]:
    """Inject `per_rule` defects of every rule; returns the (rule_id, subject_id) ground truth."""
    return [(rule_id, inject(world, instance)) for rule_id, inject in INJECTORS.items()
            for instance in range(per_rule)]
