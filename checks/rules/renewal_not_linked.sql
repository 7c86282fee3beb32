-- renewal_not_linked: paid subscription ended in the lookback window without Renewal_Subscription__c__c while a paid subscription in force of the same deployment and account (or resolved CrmId) started near its end.
WITH ended AS (
    SELECT s.*
    FROM staging.latest_subscriptions AS s
    CROSS JOIN audit.params AS p
    WHERE s.paid
    AND NOT s.in_force
    AND s.end_date >= p.as_of - p.renewal_lookback_days
    AND s.end_date < p.as_of
),
linked AS (
    SELECT e.subscription_name, r.subscription_name AS renewal
    FROM ended AS e
    JOIN staging.latest_subscriptions AS r ON r.account_id = e.account_id
    UNION
    SELECT e.subscription_name, r.subscription_name
    FROM ended AS e
    JOIN staging.latest_subscriptions AS r ON r.crm_account_key = e.crm_account_key
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
    JOIN staging.latest_subscriptions AS r ON r.subscription_name = l.renewal
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
    e.account_number AS zuora_account_number,
    e.subscription_name,
    e.sf_account_id,
    NULL::VARCHAR AS sf_opportunity_id,
    NULL::VARCHAR AS invoice_number,
    NULL::VARCHAR AS order_id,
    NULL::VARCHAR AS license_id,
    e.billing_account_id::VARCHAR AS billing_account_id,
    e.namespace_id,
    to_json({
        'zuora': struct_insert(
            e.zuora_evidence,
            Renewal_Subscription__c__c := e.renewal_subscriptions,
            renewals := coalesce(r.renewals, []),
            renewal_details := coalesce(r.details, []),
            window_days := p.renewal_start_window_days
        )
    }) AS evidence
FROM ended AS e
LEFT JOIN renewals AS r ON r.subscription_name = e.subscription_name
CROSS JOIN audit.params AS p
