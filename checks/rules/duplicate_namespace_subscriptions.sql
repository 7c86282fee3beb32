-- rule: duplicate_namespace_subscriptions
-- order: 26
-- category: hygiene
-- severity: medium
-- subject: namespace id
-- examines: namespaces of paid SaaS subscriptions in force
-- finding: two or more paid SaaS subscriptions in force on the same namespace (GitLabNamespaceId__c, else its active
--    orders' gl_namespace_id)
-- summary: Namespace {namespace_id} has {zuora[count]} paid SaaS subscriptions in force: {zuora[subscriptions]}
-- action: Sales credits one and re-books it as an add-on
WITH subscriptions AS (
    SELECT * FROM staging.latest_subscriptions WHERE paid AND in_force AND deployment = 'SaaS'
),
namespaces AS (
    SELECT subscription_name, namespace_id, 'GitLabNamespaceId__c' AS source
    FROM subscriptions
    WHERE namespace_id IS NOT NULL
    UNION
    SELECT s.subscription_name, o.gl_namespace_id, 'gl_namespace_id'
    FROM subscriptions AS s
    JOIN staging.active_orders AS o ON o.subscription_name = s.subscription_name
    WHERE s.namespace_id IS NULL AND o.gl_namespace_id IS NOT NULL
),
-- A subscription names a namespace once: from its own GitLabNamespaceId__c or, without one, from its orders.
grouped AS (
    SELECT
        n.namespace_id,
        list(n.subscription_name ORDER BY n.subscription_name) AS subscription_names,
        list({'subscription': n.subscription_name, 'source': n.source, 'account': s.account_number}
            ORDER BY n.subscription_name) AS details,
        arg_min(s.account_number, n.subscription_name) AS account_number,
        arg_min(s.sf_account_id, n.subscription_name) AS sf_account_id
    FROM namespaces AS n
    JOIN subscriptions AS s ON s.subscription_name = n.subscription_name
    GROUP BY n.namespace_id
)
SELECT
    g.namespace_id AS subject_id,
    len(g.subscription_names) >= 2 AS failed,
    g.account_number AS zuora_account_number,
    g.subscription_names[1] AS subscription_name,
    g.sf_account_id,
    NULL::VARCHAR AS sf_opportunity_id,
    NULL::VARCHAR AS invoice_number,
    NULL::VARCHAR AS order_id,
    NULL::VARCHAR AS license_id,
    NULL::VARCHAR AS billing_account_id,
    g.namespace_id,
    to_json({
        'zuora': {
            'count': len(g.subscription_names),
            'subscriptions': g.subscription_names,
            'details': g.details
        }
    }) AS evidence
FROM grouped AS g
