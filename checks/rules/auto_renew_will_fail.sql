-- rule: auto_renew_will_fail
-- order: 27
-- category: hygiene
-- severity: high
-- subject: subscription name
-- examines: paid TERMED Active subscriptions in force with TurnOnAutoRenew__c = 'Yes' and TermEndDate < D +
--    auto_renew_window_days
-- finding: paid TERMED subscription in force, latest version Active, TurnOnAutoRenew__c = 'Yes', TermEndDate < D +
--    auto_renew_window_days, and either two or more distinct base ProductRatePlans on its latest version or
--    RENEWAL_ERROR in Notes
-- summary: Zuora {subscription_name} auto-renews on {zuora[TermEndDate]} with base plans {zuora[base_plans]} and
--    notes {zuora[Notes]}
-- action: renewal case: the customer updates the card or Sales renews by hand
-- setting auto_renew_window_days: 30
SELECT
    s.subscription_name AS subject_id,
    s.base_plan_count >= 2 OR coalesce(contains(s.notes, 'RENEWAL_ERROR'), false) AS failed,
    finding_keys.*,
    CASE WHEN failed THEN to_json({
        'zuora': struct_insert(
            s.zuora_evidence,
            TurnOnAutoRenew__c := s.auto_renew,
            Notes := s.notes,
            base_plan_count := s.base_plan_count
        ),
        'window_days': p.auto_renew_window_days
    }) END AS evidence
FROM staging.subscription_subjects AS s
CROSS JOIN audit.params AS p
WHERE s.paid
AND s.in_force
AND s.term_type = 'TERMED'
AND s.status = 'Active'
AND s.auto_renew = 'Yes'
AND s.term_end_date < p.as_of + p.auto_renew_window_days
