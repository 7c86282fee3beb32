-- The latest version (highest Version) of every Zuora subscription name (text values trimmed), with End(S), whether it is in force on D and whether it is ignored.
CREATE OR REPLACE TABLE staging.latest_versions AS
WITH versions AS (
    SELECT * REPLACE (
        staging.text("Name") AS "Name",
        staging.text("Id") AS "Id",
        staging.text("AccountId") AS "AccountId",
        staging.text("Status") AS "Status",
        staging.text("TermType") AS "TermType",
        staging.text("GitLabNamespaceId__c") AS "GitLabNamespaceId__c",
        staging.text("TurnOnCloudLicensing__c") AS "TurnOnCloudLicensing__c",
        staging.text("TurnOnSeatReconciliation__c") AS "TurnOnSeatReconciliation__c",
        staging.text("TurnOnAutoRenew__c") AS "TurnOnAutoRenew__c",
        staging.text("Renewal_Subscription__c__c") AS "Renewal_Subscription__c__c",
        staging.text("ExcludeFromAnalysis__c") AS "ExcludeFromAnalysis__c"
    ),
    rowid AS version_row
    FROM raw_zuora.subscription
),
-- The latest version of each name, picked on the ordering columns alone read from the raw table again (a window
-- sorts every column it carries).
latest_rows AS (
    SELECT rowid AS version_row
    FROM (
        SELECT rowid, staging.text("Name") AS name, "Version", "UpdatedDate", staging.text("Id") AS id
        FROM raw_zuora.subscription
    )
    WHERE name IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY name ORDER BY "Version" DESC NULLS LAST, "UpdatedDate" DESC NULLS LAST, id DESC
    ) = 1
),
latest AS (
    SELECT
        s.*,
        CASE
            WHEN s."Status" = 'Cancelled' THEN s."SubscriptionEndDate"
            WHEN s."TermType" = 'EVERGREEN' THEN NULL
            ELSE s."TermEndDate"
        END AS end_date
    FROM versions AS s
    WHERE s.version_row IN (SELECT version_row FROM latest_rows)
)
SELECT
    s."Name" AS subscription_name,
    s."Id" AS subscription_id,
    s."AccountId" AS account_id,
    s."Status" AS status,
    s."Version" AS version,
    s."TermType" AS term_type,
    s."TermStartDate" AS term_start_date,
    s."TermEndDate" AS term_end_date,
    s."SubscriptionStartDate" AS subscription_start_date,
    s."SubscriptionEndDate" AS subscription_end_date,
    s.end_date,
    s."Status" IN ('Active', 'Cancelled') AND staging.in_effect(s."TermStartDate", s.end_date, p.as_of) AS in_force,
    s."GitLabNamespaceId__c" AS namespace_id,
    s."TurnOnCloudLicensing__c" AS cloud_licensing,
    s."TurnOnSeatReconciliation__c" AS seat_reconciliation,
    s."TurnOnAutoRenew__c" AS auto_renew,
    s."Notes" AS notes,
    s."Renewal_Subscription__c__c" AS renewal_subscriptions,
    coalesce(lower(s."ExcludeFromAnalysis__c") = 'true', false) AS excluded_from_analysis,
    coalesce(a.excluded, false) AS account_excluded,
    excluded_from_analysis OR account_excluded AS ignored
FROM latest AS s
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = s."AccountId"
CROSS JOIN audit.params AS p;
