-- Active orders: neither trial nor free, in effect on D.
CREATE OR REPLACE TABLE staging.active_orders AS
SELECT * EXCLUDE (is_trial, is_free, in_effect)
FROM staging.orders
WHERE in_effect AND NOT is_trial AND NOT is_free;
