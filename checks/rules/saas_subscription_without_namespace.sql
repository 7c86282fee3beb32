-- rule: saas_subscription_without_namespace
-- order: 4
-- category: provisioning
-- severity: critical
-- subject: subscription name
-- examines: paid SaaS subscriptions in force with at least one active order
-- finding: paid SaaS subscription in force with at least one active order, GitLabNamespaceId__c empty, and every
--    active order's gl_namespace_id empty
-- summary: Zuora {subscription_name} has no GitLabNamespaceId__c and its active CustomersDot orders
--    {customersdot[order_ids]} have no gl_namespace_id
-- action: ask the customer to link a group, or force-associate after checking seats
-- scorecard: Paid Order Missing Namespace Assignment
-- scorecard rank: 2
WITH orders AS (
    SELECT
        subscription_name,
        min(id) AS first_order_id,
        count(gl_namespace_id) AS namespaces
    FROM staging.active_orders
    GROUP BY subscription_name
),
-- The evidence's orders, listed only for the examined subscriptions without a namespace on either side (those that
-- fail).
order_lists AS (
    SELECT a.subscription_name, list(a.id ORDER BY a.id) AS order_ids, list(a.order_evidence ORDER BY a.id) AS orders
    FROM staging.active_orders AS a
    JOIN orders AS o ON o.subscription_name = a.subscription_name AND o.namespaces = 0
    JOIN staging.subscription_subjects AS s ON s.subscription_name = a.subscription_name
    WHERE s.namespace_id IS NULL AND s.paid AND s.in_force AND s.deployment = 'SaaS'
    GROUP BY a.subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    s.namespace_id IS NULL AND o.namespaces = 0 AS failed,
    finding_keys.* REPLACE (o.first_order_id::VARCHAR AS order_id),
    CASE WHEN failed THEN to_json({
        'zuora': struct_insert(s.zuora_evidence, GitLabNamespaceId__c := s.namespace_id),
        'customersdot': {'order_ids': l.order_ids, 'orders': l.orders}
    }) END AS evidence
FROM staging.subscription_subjects AS s
JOIN orders AS o ON o.subscription_name = s.subscription_name
LEFT JOIN order_lists AS l ON l.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SaaS'
