-- subscription_not_invoiced: paid subscription in force whose term started at least the grace days ago with no Posted invoice item since TermStartDate.
WITH billed AS (
    SELECT
        s.subscription_name,
        max(i.service_start_date) AS latest_service_start,
        bool_or(i.service_start_date >= s.term_start_date) AS term_billed
    FROM staging.latest_subscriptions AS s
    JOIN staging.posted_invoice_items AS i ON i.subscription_name = s.subscription_name
    GROUP BY s.subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    NOT coalesce(b.term_billed, false) AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    s.billing_account_id::VARCHAR AS billing_account_id,
    s.namespace_id,
    to_json({
        'zuora': struct_insert(s.zuora_evidence, latest_service_start := b.latest_service_start),
        'not_invoiced_days': p.not_invoiced_days
    }) AS evidence
FROM staging.latest_subscriptions AS s
LEFT JOIN billed AS b ON b.subscription_name = s.subscription_name
CROSS JOIN audit.params AS p
WHERE s.paid AND s.in_force AND s.term_start_date <= p.as_of - p.not_invoiced_days
