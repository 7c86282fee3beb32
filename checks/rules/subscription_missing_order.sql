-- subscription_missing_order: paid SaaS or SM subscription in force on D with no active order of its name.
WITH orders AS (
    SELECT
        subscription_name,
        list(id ORDER BY id) AS order_ids,
        list(order_evidence ORDER BY id) AS orders,
        count(*) FILTER (WHERE in_effect AND NOT is_trial AND NOT is_free) AS active_orders
    FROM staging.orders
    GROUP BY subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    coalesce(o.active_orders, 0) = 0 AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    s.billing_account_id::VARCHAR AS billing_account_id,
    s.namespace_id,
    to_json({
        'zuora': s.zuora_evidence,
        'customersdot': {
            'active_orders': coalesce(o.active_orders, 0),
            'order_ids': coalesce(o.order_ids, []),
            'orders': coalesce(o.orders, [])
        }
    }) AS evidence
FROM staging.latest_subscriptions AS s
LEFT JOIN orders AS o ON o.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment IN ('SaaS', 'SM')
