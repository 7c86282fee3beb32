-- The events of night $as_of: each finding found tonight or open before it, with its new status.
-- The rules in $held_rules read data held back tonight: their findings open before are marked 'held' (neither
-- resolved nor confirmed), their new ones wait for a night with trusted data; a 'held' event is no status to
-- carry forward.
WITH previous AS (
    SELECT finding_id, arg_max(status, as_of) AS status
    FROM audit.finding_events
    WHERE as_of < $as_of AND status <> 'held'
    GROUP BY finding_id
),
tonight AS (
    SELECT DISTINCT finding_id FROM tonight_findings WHERE NOT list_contains($held_rules::VARCHAR[], rule_id)
),
held AS (
    SELECT finding_id FROM audit.findings WHERE list_contains($held_rules::VARCHAR[], rule_id)
)
SELECT
    $as_of AS as_of,
    coalesce(t.finding_id, p.finding_id) AS finding_id,
    CASE
        WHEN h.finding_id IS NOT NULL THEN 'held'
        WHEN t.finding_id IS NULL THEN 'resolved'
        WHEN p.status IS NULL THEN 'new'
        WHEN p.status = 'resolved' THEN 'reopened'
        ELSE 'open'
    END AS status,
    $run_id AS run_id
FROM tonight AS t
FULL OUTER JOIN previous AS p USING (finding_id)
LEFT JOIN held AS h USING (finding_id)
WHERE t.finding_id IS NOT NULL OR p.status <> 'resolved'
