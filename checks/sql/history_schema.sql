-- The findings history besides the findings themselves: one row per audited night, one event per finding and
-- night, acknowledgements. `audit.findings` is created from the finding model (checks/findings.py).
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.runs (
    as_of DATE PRIMARY KEY,
    run_id VARCHAR,
    finished_at TIMESTAMPTZ,
    findings BIGINT
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
