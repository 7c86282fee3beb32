-- rule: opportunity_invoice_missing
-- order: 19
-- category: billing
-- severity: medium
-- subject: opportunity id
-- examines: Closed Won opportunities with Invoice_Number__c set, closed at least closed_won_grace_days before D
-- finding: Closed Won opportunity with CloseDate <= D - closed_won_grace_days, Invoice_Number__c set, and no Posted
--    Zuora invoice of that number
-- summary: Salesforce opportunity {sf_opportunity_id} names invoice {invoice_number}; Zuora has no Posted invoice of
--    that number (statuses found: {zuora[statuses]})
-- action: find the invoice, or correct the opportunity's invoice number
-- setting closed_won_grace_days: 7
-- Whether an opportunity's invoice number is posted is looked up among the posted numbers; the invoices listed as
-- evidence only for the numbers of failed opportunities.
WITH examined AS (
    SELECT
        o.*,
        o."Invoice_Number__c" IN (
            SELECT staging.text("InvoiceNumber") FROM raw_zuora.invoice
            WHERE staging.text("Status") = 'Posted' AND staging.text("InvoiceNumber") IS NOT NULL
        ) AS posted
    FROM staging.opportunities AS o
    CROSS JOIN audit.params AS p
    WHERE o."StageName" = 'Closed Won'
    AND o."CloseDate" <= p.as_of - p.closed_won_grace_days
    AND o."Invoice_Number__c" IS NOT NULL
),
unposted AS (
    SELECT
        staging.text("InvoiceNumber") AS invoice_number,
        list("Status" ORDER BY "Id") AS statuses,
        list({'Id': "Id", 'Status': "Status"} ORDER BY "Id") AS invoices
    FROM raw_zuora.invoice
    WHERE staging.text("InvoiceNumber") IN (SELECT "Invoice_Number__c" FROM examined WHERE NOT posted)
    GROUP BY invoice_number
)
SELECT
    o."Id" AS subject_id,
    NOT o.posted AS failed,
    o.sf_account_id,
    o."Id" AS sf_opportunity_id,
    o."Invoice_Number__c" AS invoice_number,
    CASE WHEN failed THEN to_json({
        'salesforce': {
            'Id': o."Id",
            'StageName': o."StageName",
            'CloseDate': o."CloseDate",
            'Invoice_Number__c': o."Invoice_Number__c"
        },
        'zuora': {'statuses': coalesce(i.statuses, []), 'invoices': coalesce(i.invoices, [])}
    }) END AS evidence
FROM examined AS o
LEFT JOIN unposted AS i ON i.invoice_number = o."Invoice_Number__c"
