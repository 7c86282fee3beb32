-- After a night is merged (or merged again): the nights each finding was seen come from its events, and a finding
-- no event mentions any more (found only by a discarded run of a night) is removed with its details.
-- {found} lists the statuses of a finding the rule found that night.
DELETE FROM audit.findings WHERE finding_id NOT IN (SELECT finding_id FROM audit.finding_events);
UPDATE audit.findings AS f
SET first_seen = seen.first_seen, last_seen = seen.last_seen
FROM (
    SELECT
        finding_id,
        min(as_of) FILTER (WHERE status IN {found}) AS first_seen,
        max(as_of) FILTER (WHERE status IN {found}) AS last_seen
    FROM audit.finding_events
    GROUP BY finding_id
) AS seen
WHERE f.finding_id = seen.finding_id
    AND (f.first_seen IS DISTINCT FROM seen.first_seen OR f.last_seen IS DISTINCT FROM seen.last_seen);
