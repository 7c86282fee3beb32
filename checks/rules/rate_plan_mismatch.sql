-- rule: rate_plan_mismatch
-- order: 6
-- category: provisioning
-- severity: high
-- subject: order id
-- examines: active orders of subscriptions in force
-- finding: active order of a subscription in force whose product_rate_plan_id is in the Zuora catalog but on none of
--    the latest version's rate plans
-- summary: CustomersDot order {order_id} is on {customersdot[plan]}; Zuora {subscription_name} has
--    {zuora[rate_plans]}
-- action: re-sync the order from Zuora (plan changed by amendment)
-- scorecard: Paid Order Product Rate Plan Misaligned with Zuora
-- scorecard rank: 3
WITH plans AS (
    SELECT subscription_name, list(DISTINCT product_rate_plan_id) AS plan_ids, list(DISTINCT plan_name) AS plan_names
    FROM staging.latest_rate_plans
    GROUP BY subscription_name
)
SELECT
    o.id::VARCHAR AS subject_id,
    c.product_rate_plan_id IS NOT NULL
        AND NOT coalesce(list_contains(pl.plan_ids, o.product_rate_plan_id), false) AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({
        'zuora': struct_insert(
            s.zuora_evidence,
            rate_plan_ids := coalesce(pl.plan_ids, []),
            rate_plans := coalesce(pl.plan_names, [])
        ),
        'customersdot': struct_insert(o.order_evidence, plan := c.product_rate_plan_name)
    }) AS evidence
FROM staging.active_orders AS o
JOIN staging.latest_subscriptions AS s ON s.subscription_name = o.subscription_name
LEFT JOIN plans AS pl ON pl.subscription_name = s.subscription_name
LEFT JOIN staging.catalog_rate_plans AS c ON c.product_rate_plan_id = o.product_rate_plan_id
WHERE s.in_force
