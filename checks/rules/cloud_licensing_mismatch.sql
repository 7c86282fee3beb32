-- rule: cloud_licensing_mismatch
-- order: 14
-- category: sm_licensing
-- severity: medium
-- subject: subscription name
-- examines: paid SM subscriptions in force with TurnOnCloudLicensing__c = 'Yes' and a current license
-- finding: paid SM subscription in force with TurnOnCloudLicensing__c = 'Yes', a current license, and no cloud
--    activation with its name
-- summary: Zuora {subscription_name} has TurnOnCloudLicensing__c = {zuora[TurnOnCloudLicensing__c]}; CustomersDot has
--    license {license_id} but no cloud activation
-- action: switch the subscription to cloud licensing and send the activation code
SELECT
    s.subscription_name AS subject_id,
    a.activations IS NULL AS failed,
    finding_keys.* EXCLUDE (namespace_id) REPLACE (c.id::VARCHAR AS license_id),
    to_json({
        'zuora': struct_insert(s.zuora_evidence, TurnOnCloudLicensing__c := s.cloud_licensing),
        'customersdot': {'current_license': staging.license_evidence(c), 'cloud_activations': coalesce(a.activations, 0)}
    }) AS evidence
FROM staging.subscription_subjects AS s
JOIN staging.current_licenses AS c ON c.zuora_subscription_name = s.subscription_name
LEFT JOIN staging.cloud_activations AS a ON a.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SM' AND s.cloud_licensing = 'Yes'
