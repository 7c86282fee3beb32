"""Excluded (test) subscriptions that break rules but are ignored, with everything reached only through them."""

from sandbox.generator.hosts import customer_with, running, set_namespace
from sandbox.generator.world_model import World


def excluded_subscriptions(world: World, instance: int) -> None:
    """An internal account without CrmId holding an excluded subscription that would raise several findings."""
    deployment = ("SaaS", "SM")[instance % 2]
    test = customer_with(world, {"state": "running", "deployment": deployment, "excluded": True,
                                 "prior_terms": 1, "cloud": "No"})[-1]
    test.account["CrmId"] = None
    test.billing_account["salesforce_account_id"] = None
    if deployment == "SaaS":
        set_namespace(test, running(world, "SaaS", namespace_on="both").namespace, on_orders=False)
        world.drop(*test.orders)
    else:
        world.drop(*test.licenses, *test.activations)
        test.base_order()["quantity"] += 3
