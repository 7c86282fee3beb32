-- One rule evaluated: the subjects its SQL examined, how many of them are distinct, and its failed rows in subject order.
-- The rule's columns are put in the result order, with NULL for the record keys the rule does not involve.
SELECT
    count(*) AS processed,
    count(DISTINCT subject_id) AS subjects,
    list(examined ORDER BY subject_id) FILTER (WHERE failed) AS failed
FROM (
    SELECT {columns} FROM (
{rule_sql}
    )
) AS examined
