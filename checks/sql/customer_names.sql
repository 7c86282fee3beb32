-- The customer of each finding in report_findings: the Zuora account's name, else the Salesforce account's, else the
-- Zuora account name CustomersDot's billing account carries.
WITH zuora AS (
    SELECT trim("AccountNumber") AS account_number, any_value(nullif(trim("Name"), '')) AS name
    FROM raw_zuora.account GROUP BY 1
),
salesforce AS (
    SELECT trim("Id") AS id, any_value(nullif(trim("Name"), '')) AS name FROM raw_salesforce.account GROUP BY 1
),
customersdot AS (
    SELECT CAST(id AS VARCHAR) AS id, any_value(nullif(trim(zuora_account_name), '')) AS name
    FROM raw_customersdot.billing_accounts GROUP BY 1
)
SELECT f.finding_id, coalesce(z.name, s.name, c.name) AS customer_name
FROM report_findings AS f
LEFT JOIN zuora AS z ON z.account_number = trim(f.zuora_account_number)
LEFT JOIN salesforce AS s ON s.id = trim(f.sf_account_id)
LEFT JOIN customersdot AS c ON c.id = trim(f.billing_account_id)
