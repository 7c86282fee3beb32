-- CustomersDot billing accounts with their Zuora account and both resolved Salesforce accounts; excluded Zuora accounts left out.
CREATE OR REPLACE TABLE staging.billing_accounts AS
WITH billing_accounts AS (
    SELECT
        id AS billing_account_id,
        staging.text(zuora_account_id) AS zuora_account_id,
        staging.text(salesforce_account_id) AS salesforce_account_id
    FROM raw_customersdot.billing_accounts
)
SELECT
    b.billing_account_id,
    b.zuora_account_id,
    b.salesforce_account_id,
    r.resolved_key AS sf_account_key,
    r.resolved_id AS sf_account_id,
    a.account_number,
    a.crm_id,
    a.crm_account_key,
    a.sf_account_id AS crm_sf_account_id,
    a.crm_account_live
FROM billing_accounts AS b
LEFT JOIN staging.sf_account_resolution AS r ON r.reference = b.salesforce_account_id
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = b.zuora_account_id
WHERE NOT coalesce(a.excluded, false);
