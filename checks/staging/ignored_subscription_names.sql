-- Subscription names left out of the audit with every record reaching it through them: ExcludeFromAnalysis__c on the latest version, or an excluded account.
CREATE OR REPLACE TABLE staging.ignored_subscription_names AS
SELECT
    subscription_name,
    CASE WHEN excluded_from_analysis THEN 'ExcludeFromAnalysis__c' ELSE 'excluded Zuora account' END AS reason
FROM staging.latest_versions
WHERE ignored;
