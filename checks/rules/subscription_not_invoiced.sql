-- rule: subscription_not_invoiced
-- order: 22
-- category: billing
-- severity: medium
-- subject: subscription name
-- examines: paid subscriptions in force with TermStartDate <= D - not_invoiced_days
-- finding: paid subscription in force with TermStartDate <= D - not_invoiced_days and no item on a Posted invoice for
--    any version of it with ServiceStartDate >= TermStartDate
-- summary: Zuora {subscription_name} started its term {zuora[TermStartDate]}; no Posted invoice bills it since
--    (latest item service start: {zuora[latest_service_start]})
-- action: ask Billing why the term was not invoiced
-- setting not_invoiced_days: 30
-- A term is billed when the latest service start of the subscription's items is on or after its TermStartDate.
WITH billed AS (
    SELECT subscription_name, max(service_start_date) AS latest_service_start
    FROM staging.posted_invoice_items
    GROUP BY subscription_name
)
SELECT
    s.subscription_name AS subject_id,
    NOT coalesce(b.latest_service_start >= s.term_start_date, false) AS failed,
    finding_keys.*,
    to_json({
        'zuora': struct_insert(s.zuora_evidence, latest_service_start := b.latest_service_start),
        'not_invoiced_days': p.not_invoiced_days
    }) AS evidence
FROM staging.subscription_subjects AS s
LEFT JOIN billed AS b ON b.subscription_name = s.subscription_name
CROSS JOIN audit.params AS p
WHERE s.paid AND s.in_force AND s.term_start_date <= p.as_of - p.not_invoiced_days
