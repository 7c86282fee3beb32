-- Opportunity ids (18-character form) named by the OpportunityId__c of any Zuora subscription version, with those subscriptions and whether all of them are ignored.
CREATE OR REPLACE TABLE staging.booked_opportunities AS
SELECT
    staging.sf_id18(s.opportunity_id) AS opportunity_key,
    list(DISTINCT s.subscription_name ORDER BY s.subscription_name) AS subscription_names,
    bool_and(i.subscription_name IS NOT NULL) AS only_ignored
FROM (
    SELECT staging.text("Name") AS subscription_name, staging.text("OpportunityId__c") AS opportunity_id
    FROM raw_zuora.subscription
) AS s
LEFT JOIN staging.ignored_subscription_names AS i ON i.subscription_name = s.subscription_name
WHERE s.opportunity_id IS NOT NULL
GROUP BY opportunity_key;
