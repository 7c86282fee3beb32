-- The rate plans on the latest version of every subscription that is not ignored, with their catalog product and whether each is a base rate plan.
CREATE OR REPLACE TABLE staging.latest_rate_plans AS
SELECT
    v.subscription_name,
    v.term_start_date,
    staging.text(rp."Id") AS rate_plan_id,
    staging.text(rp."ProductRatePlanId") AS product_rate_plan_id,
    coalesce(c.product_rate_plan_name, rp."Name") AS plan_name,
    c.product_rate_plan_end_date,
    coalesce(c.is_base, false) AS is_base
FROM staging.latest_versions AS v
JOIN raw_zuora.rateplan AS rp ON staging.text(rp."SubscriptionId") = v.subscription_id
LEFT JOIN staging.catalog_rate_plans AS c ON c.product_rate_plan_id = staging.text(rp."ProductRatePlanId")
WHERE NOT v.ignored;
