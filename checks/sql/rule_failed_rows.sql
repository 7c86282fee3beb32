-- The failed rows of one rule, for its failed subjects $subjects, in subject order: the rule's columns in the result
-- order, with NULL for the record keys the rule does not involve. The filter on the subjects reaches below the
-- rule's joins and groupings, so that its evidence is built for these subjects only.
SELECT {columns}
FROM (
{rule_sql}
) AS examined
WHERE subject_id IN $subjects AND failed
ORDER BY subject_id
