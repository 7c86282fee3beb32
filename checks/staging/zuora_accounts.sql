-- Zuora accounts with their resolved Salesforce account (CrmId) and whether the exclusion list names them.
CREATE OR REPLACE TABLE staging.zuora_accounts AS
WITH accounts AS (
    SELECT
        staging.text("Id") AS account_id,
        staging.text("AccountNumber") AS account_number,
        staging.text("CrmId") AS crm_id
    FROM raw_zuora.account
)
SELECT
    a.account_id,
    a.account_number,
    a.crm_id,
    r.resolved_key AS crm_account_key,
    r.resolved_id AS sf_account_id,
    coalesce(r.resolved_live, false) AS crm_account_live,
    coalesce(
        list_contains(p.excluded_zuora_accounts, a.account_number)
        OR list_contains(p.excluded_zuora_accounts, a.account_id),
        false
    ) AS excluded
FROM accounts AS a
LEFT JOIN staging.sf_account_resolution AS r ON r.reference = a.crm_id
CROSS JOIN audit.params AS p;
