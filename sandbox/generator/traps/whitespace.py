"""Values written with surrounding whitespace: compared trimmed (catalogue v1.1), they still name their records."""

from sandbox.generator.hosts import latest_term, running, term_invoice, term_opportunity
from sandbox.generator.world_model import World

PADDINGS = (" {} ", "{}\t", "{}\n", "\t{} ")


def padded_identifiers(world: World, instance: int) -> None:
    """A subscription booked by its quote only, whose name, namespace, invoice number, SKUs and Salesforce link
    carry surrounding spaces, tabs or line breaks in CustomersDot, Salesforce and on its invoice."""
    deployment = ("SaaS", "SM")[instance % 2]
    sub = running(world, deployment, web=False, opp_ref="none", term_months=12, term_start=world.days_ago(60, 300))
    pad = PADDINGS[instance % len(PADDINGS)].format
    for order in sub.orders:
        order["subscription_name"] = pad(order["subscription_name"])
        if order["gl_namespace_id"]:
            order["gl_namespace_id"] = pad(order["gl_namespace_id"])
    for record in (*sub.licenses, *sub.seat_links):
        record["zuora_subscription_name"] = pad(record["zuora_subscription_name"])
    for activation in sub.activations:
        activation["subscription_name"] = pad(activation["subscription_name"])
    opportunity = term_opportunity(sub)
    opportunity["Invoice_Number__c"] = pad(term_invoice(sub).record["InvoiceNumber"])
    latest_term(sub).quote["zqu__Subscription_Name__c"] = pad(sub.name)
    for item in term_invoice(sub).items:
        item["SKU"] = pad(item["SKU"])
    if sub.billing_account is not None and sub.billing_account["salesforce_account_id"]:
        sub.billing_account["salesforce_account_id"] = pad(sub.billing_account["salesforce_account_id"])
