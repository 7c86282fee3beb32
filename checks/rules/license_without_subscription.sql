-- rule: license_without_subscription
-- order: 10
-- category: sm_licensing
-- severity: low
-- subject: license id
-- examines: non-trial licenses with expires_at > D whose dates are not invalid
-- finding: non-trial license with expires_at > D whose zuora_subscription_name is empty or no Zuora subscription
-- summary: CustomersDot license {license_id} ({customersdot[users_count]} users, until {customersdot[expires_at]})
--    names subscription {customersdot[zuora_subscription_name]}, which Zuora does not have
-- action: link it to its subscription, or note why it exists (NFR, partner)
SELECT
    l.id::VARCHAR AS subject_id,
    NOT EXISTS (
        SELECT 1 FROM raw_zuora.subscription AS z WHERE staging.text(z."Name") = l.zuora_subscription_name
    ) AS failed,
    l.zuora_subscription_name AS subscription_name,
    l.id::VARCHAR AS license_id,
    to_json({'customersdot': staging.license_evidence(l), 'zuora': {'subscription': NULL}}) AS evidence
FROM staging.licenses AS l
CROSS JOIN audit.params AS p
WHERE l.expires_at > p.as_of AND NOT l.dates_invalid
