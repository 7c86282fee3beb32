-- license_seat_mismatch: paid SM subscription in force whose current license has users_count != Seats(S).
SELECT
    s.subscription_name AS subject_id,
    c.users_count IS DISTINCT FROM s.seats AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    c.id::VARCHAR AS license_id,
    s.billing_account_id::VARCHAR AS billing_account_id,
    to_json({'zuora': s.zuora_evidence, 'customersdot': c.license_evidence}) AS evidence
FROM staging.latest_subscriptions AS s
JOIN staging.current_licenses AS c ON c.zuora_subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SM'
