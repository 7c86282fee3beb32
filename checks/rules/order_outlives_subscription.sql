-- order_outlives_subscription: active order whose subscription is not in force on D and does not start after D.
SELECT
    o.id::VARCHAR AS subject_id,
    NOT s.in_force AND coalesce(s.term_start_date <= p.as_of, false) AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({'zuora': s.zuora_evidence, 'customersdot': o.order_evidence}) AS evidence
FROM staging.active_orders AS o
JOIN staging.latest_subscriptions AS s ON s.subscription_name = o.subscription_name
CROSS JOIN audit.params AS p
