-- rule: renewal_not_linked
-- order: 28
-- category: hygiene
-- severity: high
-- subject: subscription name (the ended one)
-- examines: paid subscriptions not in force whose End(S) falls in [D - renewal_lookback_days, D)
-- finding: paid subscription ended in [D - renewal_lookback_days, D) with Renewal_Subscription__c__c empty, while
--    another paid subscription in force with the same deployment, on the same Zuora account or the same resolved
--    CrmId, has a SubscriptionStartDate within renewal_start_window_days of that End(S)
-- summary: Zuora {subscription_name} ended {zuora[end]} without Renewal_Subscription__c__c; {zuora[renewals]} started
--    within {zuora[window_days]} days of it
-- action: link the renewal; re-associate the namespace or license before access lapses
-- setting renewal_lookback_days: 60
-- setting renewal_start_window_days: 30
WITH ended AS (
    SELECT s.*
    FROM staging.subscription_subjects AS s
    CROSS JOIN audit.params AS p
    WHERE s.paid
    AND NOT s.in_force
    AND s.end_date >= p.as_of - p.renewal_lookback_days
    AND s.end_date < p.as_of
),
linked AS (
    SELECT e.subscription_name, r.subscription_name AS renewal
    FROM ended AS e
    JOIN staging.subscription_subjects AS r ON r.account_id = e.account_id
    UNION
    SELECT e.subscription_name, r.subscription_name
    FROM ended AS e
    JOIN staging.subscription_subjects AS r ON r.crm_account_key = e.crm_account_key
),
renewals AS (
    SELECT
        e.subscription_name,
        list(r.subscription_name ORDER BY r.subscription_name) AS renewals,
        list({
            'subscription': r.subscription_name,
            'SubscriptionStartDate': r.subscription_start_date,
            'AccountNumber': r.account_number,
            'CrmId': r.crm_id
        } ORDER BY r.subscription_name) AS details
    FROM ended AS e
    JOIN linked AS l ON l.subscription_name = e.subscription_name
    JOIN staging.subscription_subjects AS r ON r.subscription_name = l.renewal
    CROSS JOIN audit.params AS p
    WHERE r.subscription_name <> e.subscription_name
    AND r.paid
    AND r.in_force
    AND r.deployment = e.deployment
    AND abs(r.subscription_start_date - e.end_date) <= p.renewal_start_window_days
    GROUP BY e.subscription_name
)
SELECT
    e.subscription_name AS subject_id,
    e.renewal_subscriptions IS NULL AND r.subscription_name IS NOT NULL AS failed,
    finding_keys.*,
    CASE WHEN failed THEN to_json({
        'zuora': struct_insert(
            e.zuora_evidence,
            Renewal_Subscription__c__c := e.renewal_subscriptions,
            renewals := coalesce(r.renewals, []),
            renewal_details := coalesce(r.details, []),
            window_days := p.renewal_start_window_days
        )
    }) END AS evidence
FROM ended AS e
LEFT JOIN renewals AS r ON r.subscription_name = e.subscription_name
CROSS JOIN audit.params AS p
