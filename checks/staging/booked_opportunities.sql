-- Opportunity ids (15-character form) named by the OpportunityId__c of any Zuora subscription version, with those subscriptions and whether all of them are ignored.
-- Versions repeat their subscription's pair of names: the pairs are made distinct first, and each distinct
-- opportunity id text is normalised once.
CREATE OR REPLACE TABLE staging.booked_opportunities AS
WITH named AS (
    SELECT DISTINCT staging.text("OpportunityId__c") AS opportunity_id, staging.text("Name") AS subscription_name
    FROM raw_zuora.subscription
),
normalised AS (
    SELECT opportunity_id, staging.sf_id15(opportunity_id) AS opportunity_key
    FROM (SELECT DISTINCT opportunity_id FROM named WHERE opportunity_id IS NOT NULL)
),
booked AS (
    SELECT DISTINCT k.opportunity_key, n.subscription_name
    FROM named AS n
    JOIN normalised AS k ON k.opportunity_id = n.opportunity_id
)
SELECT
    b.opportunity_key,
    list(b.subscription_name ORDER BY b.subscription_name) FILTER (WHERE b.subscription_name IS NOT NULL)
        AS subscription_names,
    bool_and(b.subscription_name IN (SELECT subscription_name FROM staging.ignored_subscription_names)) AS only_ignored
FROM booked AS b
GROUP BY b.opportunity_key;
