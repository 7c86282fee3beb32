-- The row expectations' failures of the rows each raw table holds, one per row and expectation, and the tables whose
-- failures are kept (any other is validated whole).
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.row_failures (
    object VARCHAR, expectation VARCHAR, "column" VARCHAR, record_key VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS meta.validated_objects (object VARCHAR PRIMARY KEY);
