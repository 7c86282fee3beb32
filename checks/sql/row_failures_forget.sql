-- Forget the failures of the rows about to be validated again (all, or the merged and keyless ones) and of the rows
-- raw table {table} no longer holds.
DELETE FROM meta.row_failures
WHERE object = $object
  AND ($whole
       OR record_key IS NULL
       OR record_key IN (SELECT record_key FROM meta.changed_keys WHERE object = $object)
       OR record_key NOT IN (SELECT {key}::VARCHAR FROM {table} WHERE {key} IS NOT NULL))
