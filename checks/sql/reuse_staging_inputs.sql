-- Per staging table, the fingerprint of the inputs it was last built from.
SELECT name, fingerprint FROM audit.staging_inputs
