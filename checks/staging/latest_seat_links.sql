-- The latest seat link (highest report_timestamp, ties: highest id) of every subscription name that is not ignored.
-- The latest link of each name is picked by a grouping on the ordering columns alone (arg_max, empty values lowest),
-- then its row fetched: a window sorts every column it carries.
CREATE OR REPLACE TABLE staging.latest_seat_links AS
WITH latest_rows AS (
    SELECT arg_max(rowid, {
        'has_report_timestamp': report_timestamp IS NOT NULL,
        'report_timestamp': report_timestamp,
        'has_id': id IS NOT NULL,
        'id': id
    }) AS link_row
    FROM (
        SELECT rowid, staging.text(zuora_subscription_name) AS name, report_timestamp, id
        FROM raw_customersdot.license_seat_links
    )
    WHERE name IS NOT NULL
    GROUP BY name
)
SELECT sl.*
FROM (
    SELECT * REPLACE (
        staging.text(zuora_subscription_id) AS zuora_subscription_id,
        staging.text(zuora_subscription_name) AS zuora_subscription_name
    )
    FROM raw_customersdot.license_seat_links
    WHERE rowid IN (SELECT link_row FROM latest_rows)
) AS sl
WHERE NOT EXISTS (
    SELECT 1 FROM staging.ignored_subscription_names AS i WHERE i.subscription_name = sl.zuora_subscription_name
);
