-- Cloud activations per (trimmed) subscription name: how many, and their ids.
CREATE OR REPLACE TABLE staging.cloud_activations AS
SELECT subscription_name, count(*) AS activations, list(id ORDER BY id) AS activation_ids
FROM (SELECT id, staging.text(subscription_name) AS subscription_name FROM raw_customersdot.cloud_activations)
WHERE subscription_name IS NOT NULL
GROUP BY subscription_name;
