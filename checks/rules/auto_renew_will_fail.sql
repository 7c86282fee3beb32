-- auto_renew_will_fail: paid TERMED Active subscription in force set to auto-renew soon, with two or more distinct base plans or RENEWAL_ERROR in Notes.
SELECT
    s.subscription_name AS subject_id,
    s.base_plan_count >= 2 OR coalesce(contains(s.notes, 'RENEWAL_ERROR'), false) AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    s.billing_account_id::VARCHAR AS billing_account_id,
    s.namespace_id,
    to_json({
        'zuora': struct_insert(
            s.zuora_evidence,
            TurnOnAutoRenew__c := s.auto_renew,
            Notes := s.notes,
            base_plan_count := s.base_plan_count
        ),
        'window_days': p.auto_renew_window_days
    }) AS evidence
FROM staging.latest_subscriptions AS s
CROSS JOIN audit.params AS p
WHERE s.paid
AND s.in_force
AND s.term_type = 'TERMED'
AND s.status = 'Active'
AND s.auto_renew = 'Yes'
AND s.term_end_date < p.as_of + p.auto_renew_window_days
