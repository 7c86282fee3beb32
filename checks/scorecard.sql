-- Match status of every paid subscription in force, in GitLab's words, from the findings about it.
WITH found AS (
    SELECT subscription_name, list(DISTINCT rule_id ORDER BY rule_id) AS rule_ids
    FROM scorecard_findings
    WHERE subscription_name IS NOT NULL
    GROUP BY subscription_name
)
SELECT
    s.subscription_name,
    s.account_number AS zuora_account_number,
    s.deployment,
    s.seats,
    CASE
        WHEN list_contains(f.rule_ids, 'subscription_missing_order') THEN 'Paid Subscription Missing Order'
        WHEN list_contains(f.rule_ids, 'saas_subscription_without_namespace')
            THEN 'Paid Order Missing Namespace Assignment'
        WHEN list_has_any(f.rule_ids, ['rate_plan_mismatch', 'unknown_product_rate_plan'])
            THEN 'Paid Order Product Rate Plan Misaligned with Zuora'
        WHEN list_contains(f.rule_ids, 'seat_count_mismatch') THEN 'Paid Order Seat Count Misaligned with Zuora'
        WHEN list_contains(f.rule_ids, 'namespace_mismatch') THEN 'Paid Order Namespace Misaligned with Zuora'
        WHEN list_contains(f.rule_ids, 'term_mismatch') THEN 'Paid Order Term Misaligned with Zuora'
        WHEN list_contains(f.rule_ids, 'sm_subscription_without_license') THEN 'Paid License Missing'
        WHEN list_contains(f.rule_ids, 'license_seat_mismatch') THEN 'Paid License Seat Count Misaligned with Zuora'
        WHEN list_contains(f.rule_ids, 'license_expires_before_term') THEN 'Paid License Expiring Before Term'
        ELSE 'Paid All Matching'
    END AS match_status,
    coalesce(f.rule_ids, []) AS rule_ids
FROM staging.latest_subscriptions AS s
LEFT JOIN found AS f ON f.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force
ORDER BY s.subscription_name
