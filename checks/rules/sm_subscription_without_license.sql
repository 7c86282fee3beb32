-- rule: sm_subscription_without_license
-- order: 9
-- category: sm_licensing
-- severity: high
-- subject: subscription name
-- examines: paid SM subscriptions in force
-- finding: paid SM subscription in force with no current license and no cloud activation with its name
-- summary: Zuora {subscription_name} ({zuora[seats]} seats of {zuora[base_plans]}) is in force; CustomersDot has no
--    current license (licenses of that name: {customersdot[license_ids]}) and no cloud activation
-- action: generate the license or the activation code
-- scorecard: Paid License Missing
-- scorecard rank: 7
-- The evidence's licenses, listed only for the subscriptions without a current license (the ones that can fail).
WITH licenses AS (
    SELECT
        zuora_subscription_name,
        list(id ORDER BY id) AS license_ids,
        list(staging.license_evidence(l) ORDER BY id) AS licenses
    FROM staging.licenses AS l
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.current_licenses AS c WHERE c.zuora_subscription_name = l.zuora_subscription_name
    )
    GROUP BY zuora_subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    c.id IS NULL AND a.activations IS NULL AS failed,
    finding_keys.* EXCLUDE (namespace_id),
    CASE WHEN failed THEN to_json({
        'zuora': s.zuora_evidence,
        'customersdot': {
            'current_license': c.id,
            'license_ids': coalesce(l.license_ids, []),
            'licenses': coalesce(l.licenses, []),
            'cloud_activations': coalesce(a.activations, 0)
        }
    }) END AS evidence
FROM staging.subscription_subjects AS s
LEFT JOIN staging.current_licenses AS c ON c.zuora_subscription_name = s.subscription_name
LEFT JOIN licenses AS l ON l.zuora_subscription_name = s.subscription_name
LEFT JOIN staging.cloud_activations AS a ON a.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SM'
