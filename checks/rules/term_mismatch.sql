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
    o.start_date IS DISTINCT FROM o.subscription.term_start_date
        OR o.end_date IS DISTINCT FROM o.subscription.end_date AS failed,
    finding_keys.*,
    to_json({'zuora': o.zuora_evidence, 'customersdot': o.order_evidence}) AS evidence
FROM staging.order_subjects AS o
WHERE o.subscription.in_force AND o.subscription.term_type = 'TERMED'
