-- The latest version (highest Version) of every Zuora subscription name (trimmed): its row of raw_zuora.subscription and TermStartDate, and whether it is ignored.
-- Only what picks the versions, their rate plans and the ignored names is kept: staging.latest_subscriptions reads
-- the other columns of the versions it keeps from their rows.
CREATE OR REPLACE TABLE staging.latest_versions AS
WITH versions AS (
    SELECT
        rowid AS version_row,
        staging.text("Name") AS subscription_name,
        staging.text("Id") AS subscription_id,
        "TermStartDate" AS term_start_date,
        staging.text("AccountId") AS account_id,
        coalesce(lower(staging.text("ExcludeFromAnalysis__c")) = 'true', false) AS excluded_from_analysis
    FROM raw_zuora.subscription
),
-- The latest version of each name: the row of the highest (Version, UpdatedDate, Id), each empty value below any
-- other, picked by a grouping on the ordering columns alone read from the raw table again (a window sorts every
-- column it carries, and sorts where a grouping hashes).
latest_rows AS (
    SELECT arg_max(rowid, {
        'has_version': "Version" IS NOT NULL,
        'version': "Version",
        'has_updated': "UpdatedDate" IS NOT NULL,
        'updated': "UpdatedDate",
        'has_id': id IS NOT NULL,
        'id': id
    }) AS version_row
    FROM (
        SELECT rowid, staging.text("Name") AS name, "Version", "UpdatedDate", staging.text("Id") AS id
        FROM raw_zuora.subscription
    )
    WHERE name IS NOT NULL
    GROUP BY name
)
SELECT
    s.version_row,
    s.subscription_name,
    s.subscription_id,
    s.term_start_date,
    s.excluded_from_analysis,
    s.excluded_from_analysis OR coalesce(a.excluded, false) AS ignored
FROM versions AS s
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = s.account_id
WHERE s.version_row IN (SELECT version_row FROM latest_rows);
