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
    NOT o.subscription.in_force AND coalesce(o.subscription.term_start_date <= p.as_of, false) AS failed,
    finding_keys.*,
    to_json({'zuora': o.zuora_evidence, 'customersdot': o.order_evidence}) AS evidence
FROM staging.order_subjects AS o
CROSS JOIN audit.params AS p
WHERE o.subscription IS NOT NULL
