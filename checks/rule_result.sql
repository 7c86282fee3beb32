-- One rule evaluated: the subjects its SQL examined, how many of them are distinct, and its failed rows in subject order.
SELECT
    count(*) AS processed,
    count(DISTINCT subject_id) AS subjects,
    list(examined ORDER BY subject_id) FILTER (WHERE failed) AS failed
FROM (
{rule_sql}
) AS examined
