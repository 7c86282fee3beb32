-- Record tonight's findings with their latest details, keeping the night each was first seen (not those of
-- rules whose data is held back tonight).
INSERT INTO audit.findings
SELECT
    finding_id, rule_id, subject_id, severity, category, summary,
    zuora_account_number, subscription_name, sf_account_id, sf_opportunity_id, invoice_number,
    order_id, license_id, billing_account_id, namespace_id, CAST(evidence AS JSON), suggested_action,
    $as_of AS first_seen, $as_of AS last_seen
FROM tonight_findings
WHERE NOT list_contains($held_rules::VARCHAR[], rule_id)
ON CONFLICT (finding_id) DO UPDATE SET
    severity = excluded.severity,
    category = excluded.category,
    summary = excluded.summary,
    zuora_account_number = excluded.zuora_account_number,
    subscription_name = excluded.subscription_name,
    sf_account_id = excluded.sf_account_id,
    sf_opportunity_id = excluded.sf_opportunity_id,
    invoice_number = excluded.invoice_number,
    order_id = excluded.order_id,
    license_id = excluded.license_id,
    billing_account_id = excluded.billing_account_id,
    namespace_id = excluded.namespace_id,
    evidence = excluded.evidence,
    suggested_action = excluded.suggested_action,
    first_seen = least(audit.findings.first_seen, excluded.first_seen),
    last_seen = greatest(audit.findings.last_seen, excluded.last_seen)
