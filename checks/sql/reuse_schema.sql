-- What an audit keeps for the next one to reuse (checks/reuse.py): the fingerprint of the inputs each staging table
-- was built from, and each rule's result (its failed rows as JSON text) with the fingerprint of the inputs it was
-- evaluated on; one row per staging table and per rule.
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.staging_inputs (name VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS audit.rule_results (
    rule_id VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    processed BIGINT NOT NULL,
    failed_rows VARCHAR NOT NULL
);
