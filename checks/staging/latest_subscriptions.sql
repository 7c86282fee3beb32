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
-- The base plans of the subscriptions that have one (the paid ones), one row per ProductRatePlanId
-- (staging.subscription_seats), grouped by name first so that each name is listed once without a DISTINCT aggregate;
-- with Seats(S).
base_plan_names AS (
    SELECT
        ss.subscription_name,
        ss.plan_name,
        count(*) AS plan_count,
        min(c.deployment) AS min_deployment,
        max(c.deployment) AS max_deployment,
        sum(ss.seats) AS seats
    FROM staging.subscription_seats AS ss
    JOIN staging.catalog_rate_plans AS c ON c.product_rate_plan_id = ss.product_rate_plan_id
    WHERE ss.is_base
    GROUP BY ss.subscription_name, ss.plan_name
),
plans AS (
    SELECT
        subscription_name,
        true AS paid,
        sum(plan_count)::BIGINT AS base_plan_count,
        list_sort(list(plan_name)) AS base_plans,
        CASE WHEN min(min_deployment) <> max(max_deployment) THEN 'Mixed' ELSE min(min_deployment) END AS deployment,
        sum(seats)::BIGINT AS seats
    FROM base_plan_names
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
    coalesce(pl.seats, 0) AS seats
FROM latest AS v
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = v.account_id
LEFT JOIN billing AS b ON b.zuora_account_id = v.account_id
LEFT JOIN plans AS pl ON pl.subscription_name = v.subscription_name;
