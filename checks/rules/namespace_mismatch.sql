-- rule: namespace_mismatch
-- order: 5
-- category: provisioning
-- severity: high
-- subject: subscription name
-- examines: paid SaaS subscriptions in force with GitLabNamespaceId__c set
-- finding: paid SaaS subscription in force whose GitLabNamespaceId__c is set and differs from a set gl_namespace_id
--    of one of its active orders
-- summary: Zuora {subscription_name} is on namespace {zuora[GitLabNamespaceId__c]}; CustomersDot order {order_id} is
--    on namespace {customersdot[gl_namespace_id]}
-- action: confirm the right top-level group; re-associate
-- scorecard: Paid Order Namespace Misaligned with Zuora
-- scorecard rank: 5
WITH mismatches AS (
    SELECT
        s.subscription_name,
        min(o.id) AS first_order_id,
        arg_min(o.gl_namespace_id, o.id) AS order_namespace_id,
        list(o.order_evidence ORDER BY o.id) AS orders
    FROM staging.subscription_subjects AS s
    JOIN staging.active_orders AS o ON o.subscription_name = s.subscription_name
    WHERE o.gl_namespace_id IS NOT NULL AND o.gl_namespace_id <> s.namespace_id
    GROUP BY s.subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    m.subscription_name IS NOT NULL AS failed,
    finding_keys.* REPLACE (m.first_order_id::VARCHAR AS order_id),
    CASE WHEN failed THEN to_json({
        'zuora': struct_insert(s.zuora_evidence, GitLabNamespaceId__c := s.namespace_id),
        'customersdot': {'gl_namespace_id': m.order_namespace_id, 'mismatched_orders': m.orders}
    }) END AS evidence
FROM staging.subscription_subjects AS s
LEFT JOIN mismatches AS m ON m.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SaaS' AND s.namespace_id IS NOT NULL
