-- rule: license_dates_invalid
-- order: 13
-- category: sm_licensing
-- severity: medium
-- subject: license id
-- examines: non-trial licenses
-- finding: non-trial license with starts_at >= expires_at
-- summary: CustomersDot license {license_id} of {customersdot[zuora_subscription_name]} starts
--    {customersdot[starts_at]} and expires {customersdot[expires_at]}
-- action: regenerate the license with valid dates
SELECT
    l.id::VARCHAR AS subject_id,
    l.dates_invalid AS failed,
    s.account_number AS zuora_account_number,
    l.zuora_subscription_name AS subscription_name,
    s.sf_account_id,
    l.id::VARCHAR AS license_id,
    s.billing_account_id::VARCHAR AS billing_account_id,
    to_json({'customersdot': staging.license_evidence(l)}) AS evidence
FROM staging.licenses AS l
LEFT JOIN staging.latest_subscriptions AS s ON s.subscription_name = l.zuora_subscription_name
