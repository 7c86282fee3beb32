-- Whether a raw table must be validated whole: never validated, or fully loaded since (a changed key of NULL).
SELECT NOT EXISTS (SELECT 1 FROM meta.validated_objects WHERE object = $object)
    OR EXISTS (SELECT 1 FROM meta.changed_keys WHERE object = $object AND record_key IS NULL)
