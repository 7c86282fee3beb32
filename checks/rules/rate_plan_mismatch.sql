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
-- An order is matched against the plans of its subscription for every order, on its ids alone; its evidence is built
-- from its subject row and the plan lists only for the subscriptions of mismatched orders.
WITH examined AS (
    SELECT
        o.id,
        o.subscription_name,
        c.product_rate_plan_name,
        c.product_rate_plan_id IS NOT NULL AND NOT EXISTS (
            SELECT 1
            FROM staging.latest_rate_plans AS rp
            WHERE rp.subscription_name = o.subscription_name AND rp.product_rate_plan_id = o.product_rate_plan_id
        ) AS mismatch
    FROM staging.order_subjects AS o
    LEFT JOIN staging.catalog_rate_plans AS c ON c.product_rate_plan_id = o.product_rate_plan_id
    WHERE o.subscription.in_force
),
plans AS (
    SELECT
        subscription_name,
        list_sort(list(DISTINCT product_rate_plan_id)) AS plan_ids,
        list_sort(list(DISTINCT plan_name)) AS plan_names
    FROM staging.latest_rate_plans
    WHERE subscription_name IN (SELECT subscription_name FROM examined WHERE mismatch)
    GROUP BY subscription_name
)
SELECT
    o.id::VARCHAR AS subject_id,
    e.mismatch AS failed,
    finding_keys.*,
    CASE WHEN failed THEN to_json({
        'zuora': struct_insert(
            o.zuora_evidence,
            rate_plan_ids := coalesce(pl.plan_ids, []),
            rate_plans := coalesce(pl.plan_names, [])
        ),
        'customersdot': struct_insert(o.order_evidence, plan := e.product_rate_plan_name)
    }) END AS evidence
FROM examined AS e
JOIN staging.order_subjects AS o ON o.id = e.id
LEFT JOIN plans AS pl ON pl.subscription_name = e.subscription_name
