-- The findings history: one row per finding ever seen, one event per finding and night, acknowledgements.
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.runs (
    as_of DATE PRIMARY KEY,
    run_id VARCHAR,
    finished_at TIMESTAMPTZ,
    findings BIGINT
);
CREATE TABLE IF NOT EXISTS audit.findings (
    finding_id VARCHAR PRIMARY KEY,
    rule_id VARCHAR NOT NULL,
    subject_id VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    category VARCHAR,
    summary VARCHAR,
    zuora_account_number VARCHAR,
    subscription_name VARCHAR,
    sf_account_id VARCHAR,
    sf_opportunity_id VARCHAR,
    invoice_number VARCHAR,
    order_id VARCHAR,
    license_id VARCHAR,
    billing_account_id VARCHAR,
    namespace_id VARCHAR,
    evidence JSON,
    suggested_action VARCHAR,
    first_seen DATE,
    last_seen DATE
);
CREATE TABLE IF NOT EXISTS audit.finding_events (
    as_of DATE NOT NULL,
    finding_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (as_of, finding_id)
);
CREATE TABLE IF NOT EXISTS audit.acknowledgements (
    finding_id VARCHAR PRIMARY KEY,
    reason VARCHAR NOT NULL,
    until DATE NOT NULL,
    acknowledged_by VARCHAR,
    acknowledged_at TIMESTAMPTZ
);
