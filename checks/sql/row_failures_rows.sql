-- The rows of raw table {table} to validate: all of them, or those merged since its last validation and any without
-- a key.
SELECT * FROM {table}
WHERE $whole
   OR {key} IS NULL
   OR {key}::VARCHAR IN (SELECT record_key FROM meta.changed_keys WHERE object = $object)
