-- Trial orders: trial = true or a trial pseudo rate plan id, with whether each is in effect on D.
-- A view: a filter of staging.orders costs less to read again than to copy.
CREATE OR REPLACE VIEW staging.trial_orders AS
SELECT * EXCLUDE (is_trial, is_free), staging.order_evidence(o) AS order_evidence
FROM staging.orders AS o
WHERE is_trial;
