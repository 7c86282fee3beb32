-- Match status of every paid subscription in force, in GitLab's words, from the findings about it.
-- {match_status} is the CASE built from the rule files' scorecard labels, lowest rank first.
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
    {match_status} AS match_status,
    coalesce(f.rule_ids, []) AS rule_ids
FROM staging.latest_subscriptions AS s
LEFT JOIN found AS f ON f.subscription_name = s.subscription_name
WHERE s.paid AND s.in_force
ORDER BY s.subscription_name
