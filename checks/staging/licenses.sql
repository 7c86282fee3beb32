-- Non-trial CustomersDot licenses (the columns the rules read, identifiers trimmed) that are not ignored, with whether their dates are valid (starts_at < expires_at) or invalid (starts_at >= expires_at).
CREATE OR REPLACE TABLE staging.licenses AS
SELECT
    l.*,
    coalesce(l.starts_at < l.expires_at, false) AS dates_valid,
    coalesce(l.starts_at >= l.expires_at, false) AS dates_invalid
FROM (
    SELECT * EXCLUDE (
        customer_id, email, company, previous_users_count, trueup_quantity, cloud_licensing_enabled, created_at,
        updated_at
    ) REPLACE (
        staging.text(plan_code) AS plan_code,
        staging.text(zuora_subscription_id) AS zuora_subscription_id,
        staging.text(zuora_subscription_name) AS zuora_subscription_name
    )
    FROM raw_customersdot.licenses
) AS l
WHERE NOT coalesce(l.trial, false)
AND NOT EXISTS (
    SELECT 1 FROM staging.ignored_subscription_names AS i WHERE i.subscription_name = l.zuora_subscription_name
);
