-- rule: retired_rate_plan_sold
-- order: 24
-- category: catalog
-- severity: low
-- subject: subscription name
-- examines: paid subscriptions in force
-- finding: paid subscription in force whose latest version has a base rate plan whose ProductRatePlan
--    EffectiveEndDate <= TermStartDate
-- summary: Zuora {subscription_name} started its term {zuora[TermStartDate]} on retired rate plans
--    {zuora[retired_plans]}
-- action: move the subscription to a current SKU at renewal
WITH retired AS (
    SELECT
        rp.subscription_name,
        list(DISTINCT rp.plan_name ORDER BY rp.plan_name) AS plans,
        list(DISTINCT rp.product_rate_plan_end_date ORDER BY rp.product_rate_plan_end_date) AS end_dates
    FROM staging.latest_rate_plans AS rp
    WHERE rp.is_base AND rp.product_rate_plan_end_date <= rp.term_start_date
    GROUP BY rp.subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    r.subscription_name IS NOT NULL AS failed,
    finding_keys.*,
    to_json({
        'zuora': struct_insert(
            s.zuora_evidence,
            retired_plans := coalesce(r.plans, []),
            retired_on := coalesce(r.end_dates, [])
        )
    }) AS evidence
FROM staging.subscription_subjects AS s
LEFT JOIN retired AS r ON r.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force
