-- What an audit keeps for the next one to reuse (checks/reuse.py): the fingerprint of the inputs each staging table
-- was built from, and each rule's result with the fingerprint of the inputs it was evaluated on.
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.staging_inputs (name VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS audit.rule_results (
    rule_id VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    processed BIGINT NOT NULL,
    failed_rows JSON NOT NULL
);
