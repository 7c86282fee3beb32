-- The events of night $as_of: each finding found tonight or open before it, with its new status.
WITH previous AS (
    SELECT finding_id, arg_max(status, as_of) AS status
    FROM audit.finding_events
    WHERE as_of < $as_of
    GROUP BY finding_id
),
tonight AS (
    SELECT DISTINCT finding_id FROM tonight_findings
)
SELECT
    $as_of AS as_of,
    coalesce(t.finding_id, p.finding_id) AS finding_id,
    CASE
        WHEN t.finding_id IS NULL THEN 'resolved'
        WHEN p.status IS NULL THEN 'new'
        WHEN p.status = 'resolved' THEN 'reopened'
        ELSE 'open'
    END AS status,
    $run_id AS run_id
FROM tonight AS t
FULL OUTER JOIN previous AS p USING (finding_id)
WHERE t.finding_id IS NOT NULL OR p.status <> 'resolved'
