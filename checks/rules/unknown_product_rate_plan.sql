-- unknown_product_rate_plan: active order whose product_rate_plan_id is no Zuora ProductRatePlan.
SELECT
    o.id::VARCHAR AS subject_id,
    NOT EXISTS (
        SELECT 1 FROM raw_zuora.productrateplan AS c WHERE staging.text(c."Id") = o.product_rate_plan_id
    ) AS failed,
    s.account_number AS zuora_account_number,
    o.subscription_name,
    s.sf_account_id,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({'customersdot': o.order_evidence, 'zuora': {'product_rate_plan': NULL}}) AS evidence
FROM staging.active_orders AS o
LEFT JOIN staging.latest_subscriptions AS s ON s.subscription_name = o.subscription_name
