-- rule: license_seat_mismatch
-- order: 11
-- category: sm_licensing
-- severity: high
-- subject: subscription name
-- examines: paid SM subscriptions in force with a current license
-- finding: paid SM subscription in force whose current license has users_count != Seats(S)
-- summary: Zuora {subscription_name} has {zuora[seats]} seats; CustomersDot license {license_id} has
--    {customersdot[users_count]} users
-- action: issue a license with the purchased seats
-- scorecard: Paid License Seat Count Misaligned with Zuora
-- scorecard rank: 8
SELECT
    s.subscription_name AS subject_id,
    c.users_count IS DISTINCT FROM s.seats AS failed,
    finding_keys.* EXCLUDE (namespace_id) REPLACE (c.id::VARCHAR AS license_id),
    to_json({'zuora': s.zuora_evidence, 'customersdot': staging.license_evidence(c)}) AS evidence
FROM staging.subscription_subjects AS s
JOIN staging.current_licenses AS c ON c.zuora_subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SM'
