-- rule: trial_too_long
-- order: 29
-- category: hygiene
-- severity: low
-- subject: order id
-- examines: trial orders in effect on D
-- finding: trial order in effect on D lasting more than trial_max_days (end_date - start_date; no end_date counts as
--    longer)
-- summary: CustomersDot trial order {order_id} runs {customersdot[start_date]} to {customersdot[end_date]}
--    ({customersdot[days]} days)
-- action: check the approval for the trial extension
-- setting trial_max_days: 30
SELECT
    o.id::VARCHAR AS subject_id,
    o.end_date IS NULL OR o.end_date - o.start_date > p.trial_max_days AS failed,
    o.subscription_name,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({
        'customersdot': struct_insert(o.order_evidence, days := o.end_date - o.start_date),
        'trial_max_days': p.trial_max_days
    }) AS evidence
FROM staging.trial_orders AS o
CROSS JOIN audit.params AS p
WHERE o.in_effect
