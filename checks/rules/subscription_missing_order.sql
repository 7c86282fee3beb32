-- rule: subscription_missing_order
-- order: 1
-- category: provisioning
-- severity: critical
-- subject: subscription name
-- examines: paid SaaS and SM subscriptions in force on D
-- finding: paid SaaS or SM subscription in force on D with no active order whose subscription_name is its name
-- summary: Zuora {subscription_name} ({zuora[deployment]}, {zuora[seats]} seats) is in force since
--    {zuora[TermStartDate]}; CustomersDot has no active order for it (its orders: {customersdot[order_ids]})
-- action: check the CustomersDot billing account's zuora_account_id; re-create the order from Zuora
-- scorecard: Paid Subscription Missing Order
-- scorecard rank: 1
-- Active orders are counted for every name; the orders listed as evidence only for the names that have none.
WITH active AS (
    SELECT subscription_name, count(*) AS active_orders
    FROM staging.orders
    WHERE in_effect AND NOT is_trial AND NOT is_free
    GROUP BY subscription_name
),
examined AS (
    SELECT s.*, coalesce(a.active_orders, 0) AS active_orders
    FROM staging.subscription_subjects AS s
    LEFT JOIN active AS a ON a.subscription_name = s.subscription_name
    WHERE s.paid AND s.in_force AND s.deployment IN ('SaaS', 'SM')
),
orders AS (
    SELECT o.subscription_name, list(o.id ORDER BY o.id) AS order_ids,
        list(staging.order_evidence(o) ORDER BY o.id) AS orders
    FROM staging.orders AS o
    WHERE subscription_name IN (SELECT subscription_name FROM examined WHERE active_orders = 0)
    GROUP BY subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    s.active_orders = 0 AS failed,
    finding_keys.*,
    to_json({
        'zuora': s.zuora_evidence,
        'customersdot': {
            'active_orders': s.active_orders,
            'order_ids': coalesce(o.order_ids, []),
            'orders': coalesce(o.orders, [])
        }
    }) AS evidence
FROM examined AS s
LEFT JOIN orders AS o ON o.subscription_name = s.subscription_name
