-- Every finding with its latest status as of $as_of, first and last nights seen, and acknowledgement.
WITH latest AS (
    SELECT finding_id, arg_max(status, as_of) AS status, max(as_of) AS status_as_of
    FROM audit.finding_events
    WHERE as_of <= $as_of
    GROUP BY finding_id
)
SELECT
    f.finding_id, f.rule_id, f.subject_id, f.severity, f.category, l.status,
    (a.finding_id IS NOT NULL AND a.until > $as_of) AS acknowledged,
    CASE WHEN a.until > $as_of THEN a.reason END AS ack_reason,
    CASE WHEN a.until > $as_of THEN a.until END AS ack_until,
    f.summary, f.suggested_action, f.first_seen, f.last_seen,
    CASE WHEN l.status = 'resolved' THEN l.status_as_of END AS resolved_on,
    f.zuora_account_number, f.subscription_name, f.sf_account_id, f.sf_opportunity_id, f.invoice_number,
    f.order_id, f.license_id, f.billing_account_id, f.namespace_id, CAST(f.evidence AS VARCHAR) AS evidence
FROM audit.findings AS f
JOIN latest AS l USING (finding_id)
LEFT JOIN audit.acknowledgements AS a USING (finding_id)
ORDER BY f.rule_id, f.subject_id
