-- One rule evaluated: the subjects its SQL examined, how many of them are distinct, and its failed subjects in order.
-- Only the subjects are read, so that DuckDB computes no evidence here (most subjects pass).
SELECT
    count(*) AS processed,
    count(DISTINCT subject_id) AS subjects,
    list(subject_id ORDER BY subject_id) FILTER (WHERE failed) AS failed
FROM (
{rule_sql}
) AS examined
