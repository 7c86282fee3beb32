-- Trial orders: trial = true or a trial pseudo rate plan id, with whether each is in effect on D.
-- A view: a filter of staging.orders costs less to read again than to copy.
CREATE OR REPLACE VIEW staging.trial_orders AS
SELECT * EXCLUDE (is_trial, is_free)
FROM staging.orders
WHERE is_trial;
