-- Opportunity ids (18-character form) named by the OpportunityId__c of any Zuora subscription version, with those subscriptions and whether all of them are ignored.
CREATE OR REPLACE TABLE staging.booked_opportunities AS
SELECT
    staging.sf_id18(s."OpportunityId__c") AS opportunity_key,
    list(DISTINCT s."Name" ORDER BY s."Name") AS subscription_names,
    bool_and(i.subscription_name IS NOT NULL) AS only_ignored
FROM raw_zuora.subscription AS s
LEFT JOIN staging.ignored_subscription_names AS i ON i.subscription_name = s."Name"
WHERE s."OpportunityId__c" IS NOT NULL
GROUP BY opportunity_key;
