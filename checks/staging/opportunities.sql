-- Salesforce opportunities (the columns the rules read, text values trimmed) that are not ignored (deleted, 10-Duplicate, or booked only on ignored subscriptions), with their resolved account and the subscriptions booked on them.
-- The opportunity ids (15-character form) named by the OpportunityId__c of Zuora subscription versions: versions
-- repeat their subscription's pair of names, so the pairs are made distinct before their ids are normalised.
CREATE OR REPLACE TABLE staging.opportunities AS
WITH named AS (
    SELECT DISTINCT staging.text("OpportunityId__c") AS opportunity_id, staging.text("Name") AS subscription_name
    FROM raw_zuora.subscription
),
booked AS (
    SELECT DISTINCT staging.sf_id15(opportunity_id) AS opportunity_key, subscription_name
    FROM named
    WHERE opportunity_id IS NOT NULL
),
-- Per booked opportunity id, its subscriptions and whether all of them are ignored.
booked_opportunities AS (
    SELECT
        b.opportunity_key,
        list(b.subscription_name ORDER BY b.subscription_name) FILTER (WHERE b.subscription_name IS NOT NULL)
            AS subscription_names,
        bool_and(b.subscription_name IN (SELECT subscription_name FROM staging.ignored_subscription_names))
            AS only_ignored
    FROM booked AS b
    GROUP BY b.opportunity_key
),
opportunities AS (
    SELECT
        o.* EXCLUDE ("Name", "CreatedDate", "SystemModstamp") REPLACE (
            staging.text(o."AccountId") AS "AccountId",
            staging.text(o."StageName") AS "StageName",
            staging.text(o."Type") AS "Type",
            staging.text(o."Invoice_Number__c") AS "Invoice_Number__c"
        ),
        staging.sf_id15(o."Id") AS opportunity_key
    FROM raw_salesforce.opportunity AS o
)
SELECT
    o.* EXCLUDE ("IsDeleted"),
    r.resolved_id AS sf_account_id,
    coalesce(b.subscription_names, []) AS booked_on
FROM opportunities AS o
LEFT JOIN staging.sf_account_resolution AS r ON r.reference = o."AccountId"
LEFT JOIN booked_opportunities AS b ON b.opportunity_key = o.opportunity_key
WHERE NOT coalesce(o."IsDeleted", false)
AND o."StageName" IS DISTINCT FROM '10-Duplicate'
AND NOT coalesce(b.only_ignored, false);
