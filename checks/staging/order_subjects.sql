-- Every active order as the subject of a rule: its columns, its subscription's latest version (NULL when none) and Zuora evidence, and a finding's key columns in their order (the subscription's account, the order's ids; the others NULL), joined and named once.
CREATE OR REPLACE VIEW staging.order_subjects AS
SELECT
    o.*,
    s.subscription,
    s.zuora_evidence,
    {
        'zuora_account_number': s.account_number,
        'subscription_name': o.subscription_name,
        'sf_account_id': s.sf_account_id,
        'sf_opportunity_id': NULL::VARCHAR,
        'invoice_number': NULL::VARCHAR,
        'order_id': o.id::VARCHAR,
        'license_id': NULL::VARCHAR,
        'billing_account_id': o.billing_account_id::VARCHAR,
        'namespace_id': o.gl_namespace_id
    } AS finding_keys
FROM staging.active_orders AS o
LEFT JOIN (
    SELECT
        subscription_name,
        account_number,
        sf_account_id,
        {
            'in_force': in_force,
            'term_type': term_type,
            'term_start_date': term_start_date,
            'end_date': end_date
        } AS subscription,
        staging.zuora_evidence(latest) AS zuora_evidence
    FROM staging.latest_subscriptions AS latest
) AS s ON s.subscription_name = o.subscription_name;
