-- Every latest subscription as the subject of a rule: its columns and a finding's key columns in their order (account, name, Salesforce account, billing account, namespace; the others NULL for the rule to set).
CREATE OR REPLACE VIEW staging.subscription_subjects AS
SELECT
    s.*,
    staging.zuora_evidence(s) AS zuora_evidence,
    {
        'zuora_account_number': s.account_number,
        'subscription_name': s.subscription_name,
        'sf_account_id': s.sf_account_id,
        'sf_opportunity_id': NULL::VARCHAR,
        'invoice_number': NULL::VARCHAR,
        'order_id': NULL::VARCHAR,
        'license_id': NULL::VARCHAR,
        'billing_account_id': s.billing_account_id::VARCHAR,
        'namespace_id': s.namespace_id
    } AS finding_keys
FROM staging.latest_subscriptions AS s;
