-- Active orders: neither trial nor free, in effect on D.
-- A view: a filter of staging.orders costs less to read again than to copy.
CREATE OR REPLACE VIEW staging.active_orders AS
SELECT * EXCLUDE (is_trial, is_free, in_effect), staging.order_evidence(o) AS order_evidence
FROM staging.orders AS o
WHERE in_effect AND NOT is_trial AND NOT is_free;
