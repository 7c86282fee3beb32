-- Opportunity ids (15-character form) with a primary 'Sent to Z-Billing' quote, not deleted, naming an existing Zuora subscription by name or id.
CREATE OR REPLACE TABLE staging.booking_quotes AS
SELECT DISTINCT staging.sf_id15(q."zqu__Opportunity__c") AS opportunity_key
FROM raw_salesforce.zqu__quote__c AS q
WHERE NOT coalesce(q."IsDeleted", false)
AND coalesce(q."zqu__Primary__c", false)
AND staging.text(q."zqu__Status__c") = 'Sent to Z-Billing'
AND (
    -- staging.latest_versions holds every subscription name, each once.
    staging.text(q."zqu__Subscription_Name__c") IN (SELECT subscription_name FROM staging.latest_versions)
    OR staging.text(q."zqu__ZuoraSubscriptionID__c") IN (SELECT staging.text("Id") FROM raw_zuora.subscription)
);
