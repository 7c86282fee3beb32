-- Zuora accounts with their resolved Salesforce account (CrmId) and whether the exclusion list names them.
CREATE OR REPLACE TABLE staging.zuora_accounts AS
SELECT
    a."Id" AS account_id,
    a."AccountNumber" AS account_number,
    a."CrmId" AS crm_id,
    r.resolved_key AS crm_account_key,
    r.resolved_id AS sf_account_id,
    coalesce(r.resolved_live, false) AS crm_account_live,
    coalesce(
        list_contains(p.excluded_zuora_accounts, a."AccountNumber")
        OR list_contains(p.excluded_zuora_accounts, a."Id"),
        false
    ) AS excluded
FROM raw_zuora.account AS a
LEFT JOIN staging.sf_account_resolution AS r ON r.reference = a."CrmId"
CROSS JOIN audit.params AS p;
