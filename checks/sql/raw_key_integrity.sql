-- A raw table's key: rows without one, rows whose key repeats, and the first repeated keys as examples.
WITH repeated AS (
    SELECT {key}::VARCHAR AS key_value, count(*) AS rows_with_key
    FROM {table}
    WHERE {key} IS NOT NULL
    GROUP BY {key}
    HAVING count(*) > 1
)
SELECT
    (SELECT count(*) FROM {table} WHERE {key} IS NULL) AS missing,
    (SELECT coalesce(sum(rows_with_key), 0) FROM repeated) AS repeated,
    (SELECT coalesce(list(key_value ORDER BY key_value)[1:5], []) FROM repeated) AS examples
