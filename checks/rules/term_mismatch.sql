-- rule: term_mismatch
-- order: 8
-- category: provisioning
-- severity: medium
-- subject: order id
-- examines: active orders of TERMED subscriptions in force
-- finding: active order of a TERMED subscription in force whose (start_date, end_date) differ from (TermStartDate,
--    End(S)) of its latest version
-- summary: Zuora {subscription_name} runs {zuora[TermStartDate]} to {zuora[end]}; CustomersDot order {order_id} runs
--    {customersdot[start_date]} to {customersdot[end_date]}
-- action: re-sync the order's term from Zuora
-- scorecard: Paid Order Term Misaligned with Zuora
-- scorecard rank: 6
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
