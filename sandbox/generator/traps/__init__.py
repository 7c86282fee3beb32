"""Near-misses of the rules: records that look wrong but are no finding (built in clean worlds too)."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.generator.traps import billing, catalog, crm, excluded, hygiene, licensing, provisioning, whitespace
from sandbox.generator.world_model import World

Trap = Callable[[World, int], None]

TRAPS: dict[str, Trap] = {
    trap.__name__: trap
    for trap in (
        crm.crm_id_forms,
        crm.booked_by_reference_only,
        crm.exempt_opportunities,
        crm.amount_within_tolerance,
        provisioning.trials_within_limits,
        provisioning.storage_on_paid_namespace,
        provisioning.future_seat_addon,
        provisioning.namespace_on_one_side,
        provisioning.older_version_ids,
        provisioning.not_yet_active,
        licensing.trial_and_expired_licenses,
        licensing.license_ending_with_term,
        licensing.seat_overage_allowed,
        licensing.multi_year_legacy_license,
        billing.overdue_after_churn,
        billing.unpaid_not_yet_overdue,
        billing.recent_term_not_invoiced,
        billing.old_invoice_wrong_sku,
        catalog.retired_after_term_start,
        hygiene.renewal_error_exempt,
        hygiene.two_plans_without_auto_renew,
        hygiene.churn_without_successor,
        hygiene.linked_renewal,
        excluded.excluded_subscriptions,
        whitespace.padded_identifiers,
    )
}
TRAP_INSTANCES = 2


def apply_traps(world: World) -> None:
    """Build every trap a few times."""
    for trap in TRAPS.values():
        for instance in range(TRAP_INSTANCES):
            trap(world, instance)
