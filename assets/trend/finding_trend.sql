-- Per rule over the nights after $since up to $as_of: the findings new, reopened and resolved, and of those
-- unresolved on $as_of how many and their median age in days; in all, by purchase channel and by deployment; and
-- the same for all rules together (rule_id 'all').
-- A finding's origin is that of the subscription it names, as the staging tables know it tonight: `reseller` when
-- another account owns its invoices or the owner is a reseller account, `web-direct` when it was booked on a web
-- portal purchase, else `sales-assisted`; its deployment as staging names it (SaaS, SM, Dedicated, Mixed). Findings naming no known
-- subscription are of origin `unknown`.
WITH invoice_owners AS (
    SELECT staging.text("Name") AS subscription_name, arg_max(staging.text("InvoiceOwnerId"), "Version") AS owner_id
    FROM raw_zuora.subscription
    GROUP BY 1
),
web_purchases AS (
    SELECT DISTINCT unnest(booked_on) AS subscription_name
    FROM staging.opportunities
    WHERE coalesce("Web_Portal_Purchase__c", false)
),
origins AS (
    SELECT
        s.subscription_name,
        CASE
            WHEN (o.owner_id IS NOT NULL AND o.owner_id <> s.account_id)
                OR lower(staging.text(owner."SspChannel__c")) = 'reseller' THEN 'reseller'
            WHEN w.subscription_name IS NOT NULL THEN 'web-direct'
            ELSE 'sales-assisted'
        END AS channel,
        s.deployment  -- SaaS, SM, Dedicated or Mixed, as staging names them
    FROM staging.latest_subscriptions AS s
    LEFT JOIN invoice_owners AS o USING (subscription_name)
    LEFT JOIN raw_zuora.account AS owner ON staging.text(owner."Id") = coalesce(o.owner_id, s.account_id)
    LEFT JOIN web_purchases AS w USING (subscription_name)
),
window_events AS (
    SELECT
        finding_id,
        count(*) FILTER (WHERE status = 'new') AS new,
        count(*) FILTER (WHERE status = 'reopened') AS reopened,
        count(*) FILTER (WHERE status = 'resolved') AS resolved
    FROM audit.finding_events
    WHERE as_of > $since AND as_of <= $as_of
    GROUP BY finding_id
),
latest AS (
    SELECT finding_id, arg_max(status, as_of) AS status
    FROM audit.finding_events
    WHERE as_of <= $as_of
    GROUP BY finding_id
),
per_finding AS (
    SELECT
        f.rule_id,
        coalesce(o.channel, 'unknown') AS channel,
        coalesce(o.deployment, 'unknown') AS deployment,
        coalesce(w.new, 0) AS new,
        coalesce(w.reopened, 0) AS reopened,
        coalesce(w.resolved, 0) AS resolved,
        l.status <> 'resolved' AS unresolved,
        CASE WHEN l.status <> 'resolved' THEN date_diff('day', f.first_seen, $as_of) END AS age_days
    FROM audit.findings AS f
    JOIN latest AS l USING (finding_id)
    LEFT JOIN window_events AS w USING (finding_id)
    LEFT JOIN origins AS o USING (subscription_name)
    WHERE w.finding_id IS NOT NULL OR l.status <> 'resolved'
)
SELECT
    CASE WHEN grouping(rule_id) = 0 THEN rule_id ELSE 'all' END AS rule_id,
    CASE WHEN grouping(channel) = 0 THEN 'channel' WHEN grouping(deployment) = 0 THEN 'deployment' ELSE 'all' END
        AS split,
    CASE WHEN grouping(channel) = 0 THEN channel WHEN grouping(deployment) = 0 THEN deployment ELSE 'all' END
        AS origin,
    sum(new)::BIGINT AS new,
    sum(reopened)::BIGINT AS reopened,
    sum(resolved)::BIGINT AS resolved,
    count(*) FILTER (WHERE unresolved) AS unresolved,
    median(age_days)::DOUBLE AS median_age_days
FROM per_finding
GROUP BY GROUPING SETS ((), (channel), (deployment), (rule_id), (rule_id, channel), (rule_id, deployment))
