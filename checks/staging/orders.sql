-- CustomersDot orders (the columns the rules read, identifiers trimmed) that are not ignored, each marked trial, free, and in effect on D (start_date, end_date).
CREATE OR REPLACE TABLE staging.orders AS
SELECT
    o.*,
    coalesce(o.trial, false)
        OR coalesce(o.product_rate_plan_id IN ('premium-saas-trial-plan-id', 'ultimate-saas-trial-plan-id'), false)
        AS is_trial,
    coalesce(o.product_rate_plan_id = 'free-plan-id', false) AS is_free,
    staging.in_effect(o.start_date, o.end_date, p.as_of) AS in_effect
FROM (
    SELECT * EXCLUDE (customer_id, gl_namespace_name, amendment_type, created_at, updated_at) REPLACE (
        staging.text(product_rate_plan_id) AS product_rate_plan_id,
        staging.text(subscription_id) AS subscription_id,
        staging.text(subscription_name) AS subscription_name,
        staging.text(gl_namespace_id) AS gl_namespace_id
    )
    FROM raw_customersdot.orders
) AS o
CROSS JOIN audit.params AS p
WHERE NOT EXISTS (
    SELECT 1 FROM staging.ignored_subscription_names AS i WHERE i.subscription_name = o.subscription_name
);
