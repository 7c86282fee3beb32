-- license_without_subscription: non-trial license with expires_at > D whose zuora_subscription_name is empty or no Zuora subscription.
SELECT
    l.id::VARCHAR AS subject_id,
    NOT EXISTS (
        SELECT 1 FROM raw_zuora.subscription AS z WHERE staging.text(z."Name") = l.zuora_subscription_name
    ) AS failed,
    l.zuora_subscription_name AS subscription_name,
    l.id::VARCHAR AS license_id,
    to_json({'customersdot': l.license_evidence, 'zuora': {'subscription': NULL}}) AS evidence
FROM staging.licenses AS l
CROSS JOIN audit.params AS p
WHERE l.expires_at > p.as_of AND NOT l.dates_invalid
