-- The latest version of every subscription that is not ignored (text values trimmed), with End(S), whether it is in force on D, its account, deployment, paid flag, base plans and Seats(S).
CREATE OR REPLACE TABLE staging.latest_subscriptions AS
-- The kept versions (staging.latest_versions), read from their rows.
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
        staging.text("Renewal_Subscription__c__c") AS "Renewal_Subscription__c__c"
    )
    FROM raw_zuora.subscription
    WHERE rowid IN (SELECT version_row FROM staging.latest_versions WHERE NOT ignored)
),
latest AS (
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
        CASE
            WHEN s."Status" = 'Cancelled' THEN s."SubscriptionEndDate"
            WHEN s."TermType" = 'EVERGREEN' THEN NULL
            ELSE s."TermEndDate"
        END AS end_date,
        s."Status" IN ('Active', 'Cancelled') AND staging.in_effect(s."TermStartDate", end_date, p.as_of) AS in_force,
        s."GitLabNamespaceId__c" AS namespace_id,
        s."TurnOnCloudLicensing__c" AS cloud_licensing,
        s."TurnOnSeatReconciliation__c" AS seat_reconciliation,
        s."TurnOnAutoRenew__c" AS auto_renew,
        s."Notes" AS notes,
        s."Renewal_Subscription__c__c" AS renewal_subscriptions
    FROM versions AS s
    CROSS JOIN audit.params AS p
),
-- The base plans of the subscriptions that have one (the paid ones).
plans AS (
    SELECT
        subscription_name,
        true AS paid,
        count(DISTINCT product_rate_plan_id) AS base_plan_count,
        list_sort(list(DISTINCT plan_name)) AS base_plans,
        CASE WHEN min(deployment) <> max(deployment) THEN 'Mixed' ELSE min(deployment) END AS deployment
    FROM staging.latest_rate_plans
    WHERE is_base
    GROUP BY subscription_name
),
seats AS (
    SELECT subscription_name, sum(seats) FILTER (WHERE is_base)::BIGINT AS seats
    FROM staging.subscription_seats
    GROUP BY subscription_name
),
billing AS (
    SELECT zuora_account_id, min(billing_account_id) AS billing_account_id
    FROM staging.billing_accounts
    GROUP BY zuora_account_id
)
SELECT
    v.*,
    a.account_number,
    a.crm_id,
    a.crm_account_key,
    a.crm_account_live,
    a.sf_account_id,
    b.billing_account_id,
    coalesce(pl.paid, false) AS paid,
    pl.deployment,
    coalesce(pl.base_plan_count, 0) AS base_plan_count,
    coalesce(pl.base_plans, []) AS base_plans,
    coalesce(st.seats, 0) AS seats
FROM latest AS v
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = v.account_id
LEFT JOIN billing AS b ON b.zuora_account_id = v.account_id
LEFT JOIN plans AS pl ON pl.subscription_name = v.subscription_name
LEFT JOIN seats AS st ON st.subscription_name = v.subscription_name;
