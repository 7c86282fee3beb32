-- The latest seat link (highest report_timestamp, ties: highest id) of every subscription name that is not ignored.
CREATE OR REPLACE TABLE staging.latest_seat_links AS
SELECT sl.*
FROM (
    SELECT * REPLACE (
        staging.text(zuora_subscription_id) AS zuora_subscription_id,
        staging.text(zuora_subscription_name) AS zuora_subscription_name
    )
    FROM raw_customersdot.license_seat_links
) AS sl
WHERE sl.zuora_subscription_name IS NOT NULL
AND NOT EXISTS (
    SELECT 1 FROM staging.ignored_subscription_names AS i WHERE i.subscription_name = sl.zuora_subscription_name
)
QUALIFY row_number() OVER (
    PARTITION BY sl.zuora_subscription_name ORDER BY sl.report_timestamp DESC NULLS LAST, sl.id DESC
) = 1;
