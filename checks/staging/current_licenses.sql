-- The current license of every subscription name: among its valid non-trial licenses started by D, the latest starts_at (ties: highest id); it may have expired.
-- The current license is picked by a grouping on the ordering columns alone (arg_max of starts_at, then id, an empty
-- id lowest), then its row fetched.
CREATE OR REPLACE TABLE staging.current_licenses AS
WITH current_rows AS (
    SELECT arg_max(l.rowid, {'starts_at': l.starts_at, 'has_id': l.id IS NOT NULL, 'id': l.id}) AS license_row
    FROM staging.licenses AS l
    CROSS JOIN audit.params AS p
    WHERE l.zuora_subscription_name IS NOT NULL AND l.dates_valid AND l.starts_at <= p.as_of
    GROUP BY l.zuora_subscription_name
)
SELECT l.* EXCLUDE (dates_valid, dates_invalid), l.expires_at <= p.as_of AS expired
FROM staging.licenses AS l
CROSS JOIN audit.params AS p
WHERE l.rowid IN (SELECT license_row FROM current_rows);
