-- The current license of every subscription name: among its valid non-trial licenses started by D, the latest starts_at (ties: highest id); it may have expired.
-- The current license is picked on the ordering columns alone (a window sorts every column it carries), then its row
-- fetched.
CREATE OR REPLACE TABLE staging.current_licenses AS
WITH current_rows AS (
    SELECT l.rowid AS license_row
    FROM staging.licenses AS l
    CROSS JOIN audit.params AS p
    WHERE l.zuora_subscription_name IS NOT NULL AND l.dates_valid AND l.starts_at <= p.as_of
    QUALIFY row_number() OVER (PARTITION BY l.zuora_subscription_name ORDER BY l.starts_at DESC, l.id DESC) = 1
)
SELECT l.* EXCLUDE (dates_valid, dates_invalid), l.expires_at <= p.as_of AS expired
FROM staging.licenses AS l
CROSS JOIN audit.params AS p
WHERE l.rowid IN (SELECT license_row FROM current_rows);
