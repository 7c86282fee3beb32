-- Seats(S, P): per subscription name and ProductRatePlanId, the Recurring quantities on its latest version in effect on max(D, TermStartDate).
CREATE OR REPLACE TABLE staging.subscription_seats AS
SELECT
    rp.subscription_name,
    rp.product_rate_plan_id,
    any_value(rp.plan_name) AS plan_name,
    bool_or(rp.is_base) AS is_base,
    coalesce(sum(ch."Quantity") FILTER (
        WHERE staging.text(ch."ChargeType") = 'Recurring'
        AND staging.in_effect(ch."EffectiveStartDate", ch."EffectiveEndDate", greatest(p.as_of, rp.term_start_date))
    ), 0)::BIGINT AS seats
FROM staging.latest_rate_plans AS rp
LEFT JOIN raw_zuora.rateplancharge AS ch ON staging.text(ch."RatePlanId") = rp.rate_plan_id
CROSS JOIN audit.params AS p
GROUP BY rp.subscription_name, rp.product_rate_plan_id;
