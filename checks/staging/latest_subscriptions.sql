-- The latest version of every subscription that is not ignored, with its account, deployment, paid flag, base plans and Seats(S).
CREATE OR REPLACE TABLE staging.latest_subscriptions AS
-- The base plans of the subscriptions that have one (the paid ones).
WITH plans AS (
    SELECT
        subscription_name,
        true AS paid,
        count(DISTINCT product_rate_plan_id) AS base_plan_count,
        list_sort(list(DISTINCT plan_name)) AS base_plans,
        CASE WHEN min(deployment) <> max(deployment) THEN 'Mixed' ELSE min(deployment) END AS deployment
    FROM staging.latest_rate_plans
    WHERE is_base
    GROUP BY subscription_name
),
seats AS (
    SELECT subscription_name, sum(seats) FILTER (WHERE is_base)::BIGINT AS seats
    FROM staging.subscription_seats
    GROUP BY subscription_name
),
billing AS (
    SELECT zuora_account_id, min(billing_account_id) AS billing_account_id
    FROM staging.billing_accounts
    GROUP BY zuora_account_id
)
SELECT
    v.* EXCLUDE (excluded_from_analysis, account_excluded, ignored),
    a.account_number,
    a.crm_id,
    a.crm_account_key,
    a.crm_account_live,
    a.sf_account_id,
    b.billing_account_id,
    coalesce(pl.paid, false) AS paid,
    pl.deployment,
    coalesce(pl.base_plan_count, 0) AS base_plan_count,
    coalesce(pl.base_plans, []) AS base_plans,
    coalesce(st.seats, 0) AS seats
FROM staging.latest_versions AS v
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = v.account_id
LEFT JOIN billing AS b ON b.zuora_account_id = v.account_id
LEFT JOIN plans AS pl ON pl.subscription_name = v.subscription_name
LEFT JOIN seats AS st ON st.subscription_name = v.subscription_name
WHERE NOT v.ignored;
