-- rule: overdue_invoice_on_active_entitlement
-- order: 21
-- category: billing
-- severity: medium
-- subject: invoice number
-- examines: Posted invoices with an item that is not ignored
-- finding: Posted invoice with Balance > 0 and DueDate < D - overdue_days, with an item whose subscription has an
--    active order or a current license that has not expired
-- summary: Zuora invoice {invoice_number} has Balance {zuora[Balance]} due {zuora[DueDate]}; CustomersDot still
--    entitles {subscription_name} (orders: {customersdot[orders]}; licenses: {customersdot[licenses]})
-- action: check with Billing / AR before the next license or renewal
-- setting overdue_days: 30
WITH entitlements AS (
    SELECT
        subscription_name,
        list(order_id ORDER BY order_id) FILTER (WHERE order_id IS NOT NULL) AS order_ids,
        list(license_id ORDER BY license_id) FILTER (WHERE license_id IS NOT NULL) AS license_ids
    FROM (
        SELECT subscription_name, id AS order_id, NULL::BIGINT AS license_id FROM staging.active_orders
        UNION ALL
        SELECT zuora_subscription_name, NULL, id FROM staging.current_licenses WHERE NOT expired
    )
    GROUP BY subscription_name
),
invoices AS (
    SELECT
        i.invoice_number,
        bool_or(i.balance > 0 AND i.due_date < p.as_of - p.overdue_days AND e.subscription_name IS NOT NULL)
            AS overdue,
        min(i.account_number) AS account_number,
        max(i.balance) AS balance,
        min(i.due_date) AS due_date,
        list_sort(list_distinct(list(e.subscription_name) FILTER (WHERE e.subscription_name IS NOT NULL)))
            AS entitled,
        list_sort(list_distinct(flatten(list(e.order_ids) FILTER (WHERE e.order_ids IS NOT NULL)))) AS order_ids,
        list_sort(list_distinct(flatten(list(e.license_ids) FILTER (WHERE e.license_ids IS NOT NULL))))
            AS license_ids
    FROM staging.posted_invoice_items AS i
    LEFT JOIN entitlements AS e ON e.subscription_name = i.subscription_name
    CROSS JOIN audit.params AS p
    WHERE i.invoice_number IS NOT NULL
    GROUP BY i.invoice_number
)
SELECT
    i.invoice_number AS subject_id,
    i.overdue AS failed,
    i.account_number AS zuora_account_number,
    i.entitled[1] AS subscription_name,
    NULL::VARCHAR AS sf_account_id,
    NULL::VARCHAR AS sf_opportunity_id,
    i.invoice_number,
    i.order_ids[1]::VARCHAR AS order_id,
    i.license_ids[1]::VARCHAR AS license_id,
    NULL::VARCHAR AS billing_account_id,
    NULL::VARCHAR AS namespace_id,
    to_json({
        'zuora': {
            'InvoiceNumber': i.invoice_number,
            'Balance': i.balance,
            'DueDate': i.due_date,
            'subscriptions': coalesce(i.entitled, [])
        },
        'customersdot': {
            'orders': coalesce(i.order_ids, []),
            'licenses': coalesce(i.license_ids, [])
        },
        'overdue_days': p.overdue_days
    }) AS evidence
FROM invoices AS i
CROSS JOIN audit.params AS p
