-- Trial orders: trial = true or a trial pseudo rate plan id, with whether each is in effect on D.
CREATE OR REPLACE TABLE staging.trial_orders AS
SELECT * EXCLUDE (is_trial, is_free)
FROM staging.orders
WHERE is_trial;
