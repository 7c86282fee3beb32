-- rule: invoice_amount_mismatch
-- order: 20
-- category: billing
-- severity: medium
-- subject: opportunity id
-- examines: Closed Won opportunities whose Invoice_Number__c names a Posted invoice
-- finding: Closed Won opportunity whose Invoice_Number__c names a Posted invoice with abs(AmountWithoutTax - Amount)
--    > max(invoice_tolerance_abs, invoice_tolerance_pct % of Amount)
-- summary: Salesforce opportunity {sf_opportunity_id} has Amount {salesforce[Amount]}; Zuora invoice {invoice_number}
--    has AmountWithoutTax {zuora[AmountWithoutTax]}
-- action: reconcile the booking with Billing
-- setting invoice_tolerance_abs: 1.00
-- setting invoice_tolerance_pct: 1.0
WITH compared AS (
    SELECT
        o."Id" AS opportunity_id,
        bool_or(abs(i."AmountWithoutTax" - o."Amount")
            > greatest(p.invoice_tolerance_abs, o."Amount" * p.invoice_tolerance_pct * 0.01)) AS mismatch,
        arg_min(a.account_number, i."Id") AS account_number,
        arg_min(i."AmountWithoutTax", i."Id") AS amount_without_tax,
        arg_min(i."Amount", i."Id") AS invoice_amount,
        any_value(o.sf_account_id) AS sf_account_id,
        any_value(o."Invoice_Number__c") AS invoice_number,
        any_value(o."Amount") AS amount
    FROM staging.opportunities AS o
    JOIN raw_zuora.invoice AS i
        ON staging.text(i."InvoiceNumber") = o."Invoice_Number__c" AND staging.text(i."Status") = 'Posted'
    LEFT JOIN staging.zuora_accounts AS a ON a.account_id = staging.text(i."AccountId")
    CROSS JOIN audit.params AS p
    WHERE o."StageName" = 'Closed Won'
    GROUP BY o."Id"
)
SELECT
    c.opportunity_id AS subject_id,  -- the grouping key, so that a filter on the subject reaches below the grouping
    coalesce(c.mismatch, false) AS failed,
    c.account_number AS zuora_account_number,
    c.sf_account_id,
    c.opportunity_id AS sf_opportunity_id,
    c.invoice_number,
    to_json({
        'salesforce': {
            'Id': c.opportunity_id,
            'Amount': c.amount,
            'Invoice_Number__c': c.invoice_number
        },
        'zuora': {
            'InvoiceNumber': c.invoice_number,
            'AmountWithoutTax': c.amount_without_tax,
            'Amount': c.invoice_amount
        },
        'tolerance': {'abs': p.invoice_tolerance_abs, 'pct': p.invoice_tolerance_pct}
    }) AS evidence
FROM compared AS c
CROSS JOIN audit.params AS p
