-- term_mismatch: active order of a TERMED subscription in force whose (start_date, end_date) differ from (TermStartDate, End(S)).
SELECT
    o.id::VARCHAR AS subject_id,
    o.start_date IS DISTINCT FROM s.term_start_date OR o.end_date IS DISTINCT FROM s.end_date AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({'zuora': s.zuora_evidence, 'customersdot': o.order_evidence}) AS evidence
FROM staging.active_orders AS o
JOIN staging.latest_subscriptions AS s ON s.subscription_name = o.subscription_name
WHERE s.in_force AND s.term_type = 'TERMED'
