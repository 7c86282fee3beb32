-- Per row expectation of one raw table, the rows that fail it and the first offending values.
SELECT expectation, "column", count(*) AS unexpected, list(value ORDER BY record_key, value)[1:5] AS examples
FROM meta.row_failures
WHERE object = $object
GROUP BY expectation, "column"
