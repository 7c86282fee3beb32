-- One rule evaluated in one pass, for a rule that builds the evidence of its failed rows only: the subjects its SQL
-- examined, how many of them are distinct, and its failed rows in subject order, each a struct of the rule's columns
-- in the result order with NULL for the record keys the rule does not involve.
SELECT
    count(*) AS processed,
    count(DISTINCT subject_id) AS subjects,
    list({{{fields}}} ORDER BY subject_id) FILTER (WHERE failed) AS failed
FROM (
{rule_sql}
) AS examined
