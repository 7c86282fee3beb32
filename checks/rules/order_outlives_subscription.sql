-- rule: order_outlives_subscription
-- order: 3
-- category: provisioning
-- severity: high
-- subject: order id
-- examines: active orders of an existing subscription
-- finding: active order whose subscription is not in force on D and does not start after D (its latest version's
--    TermStartDate <= D)
-- summary: CustomersDot order {order_id} is active ({customersdot[start_date]} to {customersdot[end_date]}); Zuora
--    {subscription_name} is {zuora[Status]} and not in force (end {zuora[end]})
-- action: end or re-sync the order; check for a renewal booked under a new name
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
