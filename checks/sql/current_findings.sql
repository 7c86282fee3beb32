-- Every finding with its latest status as of $as_of, the first and last nights it was seen up to then (from its
-- events), and its acknowledgement.
WITH latest AS (
    SELECT
        finding_id,
        arg_max(status, as_of) AS status,
        max(as_of) AS status_as_of,
        min(as_of) FILTER (WHERE status IN {found}) AS first_seen,
        max(as_of) FILTER (WHERE status IN {found}) AS last_seen
    FROM audit.finding_events
    WHERE as_of <= $as_of
    GROUP BY finding_id
)
SELECT {columns}
FROM audit.findings AS f
JOIN latest AS l USING (finding_id)
LEFT JOIN audit.acknowledgements AS a USING (finding_id)
ORDER BY f.rule_id, f.subject_id
