-- Every Salesforce account id written in any system (trimmed), resolved: MasterRecordId chain followed to the surviving account, its id (18-character form) and whether that account exists undeleted; the keys matched on are the 15-character forms.
CREATE OR REPLACE TABLE staging.sf_account_resolution AS
WITH RECURSIVE account_rows AS (
    SELECT staging.text("Id") AS account_id, staging.text("MasterRecordId") AS master_id, "IsDeleted"
    FROM raw_salesforce.account
),
account_references AS (
    SELECT staging.text("CrmId") AS reference FROM raw_zuora.account
    UNION SELECT staging.text(salesforce_account_id) FROM raw_customersdot.billing_accounts
    UNION SELECT staging.text(salesforce_account_id) FROM raw_customersdot.customers
    UNION SELECT staging.text("AccountId") FROM raw_salesforce.opportunity
    UNION SELECT account_id FROM account_rows
),
-- Each distinct id text normalised once to its 15-character form (equal exactly when the 18-character forms are,
-- and cheaper): the references, and the master ids accounts were merged into.
normalised AS (
    SELECT reference, staging.sf_id15(reference) AS account_key
    FROM (SELECT reference FROM account_references UNION SELECT master_id FROM account_rows)
    WHERE reference IS NOT NULL
),
accounts AS (
    SELECT
        k.account_key,
        a.account_id,
        m.account_key AS master_key,
        coalesce(a."IsDeleted", false) AS is_deleted
    FROM account_rows AS a
    LEFT JOIN normalised AS k ON k.reference = a.account_id
    LEFT JOIN normalised AS m ON m.reference = a.master_id
),
chain AS (
    SELECT account_key, account_key AS current_key, 0 AS depth
    FROM accounts
    UNION ALL
    SELECT c.account_key, a.master_key, c.depth + 1
    FROM chain AS c
    JOIN accounts AS a ON a.account_key = c.current_key
    WHERE a.master_key IS NOT NULL AND a.master_key <> a.account_key AND c.depth < 32
),
survivors AS (
    SELECT c.account_key, arg_max(c.current_key, c.depth) AS survivor_key
    FROM chain AS c
    GROUP BY c.account_key
),
keyed AS (
    SELECT k.reference, k.account_key
    FROM account_references AS r
    JOIN normalised AS k ON k.reference = r.reference
)
SELECT
    k.reference,
    k.account_key,
    coalesce(s.survivor_key, k.account_key) AS resolved_key,
    -- The 18-character form is computed only for a surviving account that no account row holds.
    coalesce(a.account_id, staging.sf_id18(coalesce(s.survivor_key, k.account_key))) AS resolved_id,
    coalesce(NOT a.is_deleted, false) AS resolved_live
FROM keyed AS k
LEFT JOIN survivors AS s ON s.account_key = k.account_key
LEFT JOIN accounts AS a ON a.account_key = s.survivor_key;
