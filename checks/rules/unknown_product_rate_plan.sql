-- rule: unknown_product_rate_plan
-- order: 23
-- category: catalog
-- severity: medium
-- subject: order id
-- examines: active orders
-- finding: active order whose product_rate_plan_id is no Zuora ProductRatePlan
-- summary: CustomersDot order {order_id} is on product_rate_plan_id {customersdot[product_rate_plan_id]}, which is
--    not in the Zuora catalog
-- action: map the order to a catalog rate plan (catalog drift)
-- scorecard: Paid Order Product Rate Plan Misaligned with Zuora
-- scorecard rank: 3
SELECT
    o.id::VARCHAR AS subject_id,
    NOT EXISTS (
        SELECT 1 FROM raw_zuora.productrateplan AS c WHERE staging.text(c."Id") = o.product_rate_plan_id
    ) AS failed,
    s.account_number AS zuora_account_number,
    o.subscription_name,
    s.sf_account_id,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({'customersdot': o.order_evidence, 'zuora': {'product_rate_plan': NULL}}) AS evidence
FROM staging.active_orders AS o
LEFT JOIN staging.latest_subscriptions AS s ON s.subscription_name = o.subscription_name
