-- Salesforce opportunities (the columns the rules read, text values trimmed) that are not ignored (deleted, 10-Duplicate, or booked only on ignored subscriptions), with their resolved account.
CREATE OR REPLACE TABLE staging.opportunities AS
WITH opportunities AS (
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
LEFT JOIN staging.booked_opportunities AS b ON b.opportunity_key = o.opportunity_key
WHERE NOT coalesce(o."IsDeleted", false)
AND o."StageName" IS DISTINCT FROM '10-Duplicate'
AND NOT coalesce(b.only_ignored, false);
