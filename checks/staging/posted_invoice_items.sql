-- Items of Posted Zuora invoices with the subscription name of the version each bills; excluded accounts and ignored subscriptions left out.
CREATE OR REPLACE TABLE staging.posted_invoice_items AS
SELECT
    staging.text(i."InvoiceNumber") AS invoice_number,
    i."InvoiceDate" AS invoice_date,
    i."DueDate" AS due_date,
    i."Balance" AS balance,
    a.account_number,
    a.sf_account_id,
    it."Id" AS invoice_item_id,
    staging.text(v."Name") AS subscription_name,
    staging.text(it."ProductRatePlanChargeId") AS product_rate_plan_charge_id,
    staging.text(it."SKU") AS sku,
    it."ChargeName" AS charge_name,
    it."ServiceStartDate" AS service_start_date
FROM raw_zuora.invoice AS i
JOIN raw_zuora.invoiceitem AS it ON staging.text(it."InvoiceId") = staging.text(i."Id")
LEFT JOIN raw_zuora.subscription AS v ON staging.text(v."Id") = staging.text(it."SubscriptionId")
LEFT JOIN staging.zuora_accounts AS a ON a.account_id = staging.text(i."AccountId")
WHERE staging.text(i."Status") = 'Posted'
AND NOT coalesce(a.excluded, false)
-- An uncorrelated IN: a NOT EXISTS correlated on the computed name makes DuckDB set every item aside first.
AND NOT coalesce(staging.text(v."Name") IN (SELECT subscription_name FROM staging.ignored_subscription_names), false);
