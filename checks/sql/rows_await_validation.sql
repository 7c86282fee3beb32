-- Whether raw table $object has rows its next validation reads: it was never validated, or loads changed rows since.
SELECT NOT EXISTS (SELECT 1 FROM meta.validated_objects WHERE object = $object)
    OR EXISTS (SELECT 1 FROM meta.changed_keys WHERE object = $object)
