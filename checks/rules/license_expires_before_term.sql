-- rule: license_expires_before_term
-- order: 12
-- category: sm_licensing
-- severity: high
-- subject: subscription name
-- examines: paid SM subscriptions in force with a current license
-- finding: paid SM subscription in force whose current license expires before TermEndDate and before D +
--    license_expiry_window_days
-- summary: Zuora {subscription_name} runs until {zuora[TermEndDate]}; its current CustomersDot license {license_id}
--    expires {customersdot[expires_at]}
-- action: issue the next license slice (multi-year legacy licenses cover one year)
-- setting license_expiry_window_days: 30
-- scorecard: Paid License Expiring Before Term
-- scorecard rank: 9
SELECT
    s.subscription_name AS subject_id,
    (s.term_end_date IS NULL OR c.expires_at < s.term_end_date)
        AND c.expires_at < p.as_of + p.license_expiry_window_days AS failed,
    finding_keys.* EXCLUDE (namespace_id) REPLACE (c.id::VARCHAR AS license_id),
    to_json({
        'zuora': s.zuora_evidence,
        'customersdot': struct_insert(staging.license_evidence(c), expired := c.expired),
        'window_days': p.license_expiry_window_days
    }) AS evidence
FROM staging.subscription_subjects AS s
JOIN staging.current_licenses AS c ON c.zuora_subscription_name = s.subscription_name
CROSS JOIN audit.params AS p
WHERE s.paid AND s.in_force AND s.deployment = 'SM'
