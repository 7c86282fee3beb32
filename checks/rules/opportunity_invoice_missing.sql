-- opportunity_invoice_missing: Closed Won opportunity past the grace days whose Invoice_Number__c names no Posted Zuora invoice.
WITH invoices AS (
    SELECT
        staging.text("InvoiceNumber") AS invoice_number,
        bool_or(staging.text("Status") = 'Posted') AS posted,
        list("Status" ORDER BY "Id") AS statuses,
        list({'Id': "Id", 'Status': "Status"} ORDER BY "Id") AS invoices
    FROM raw_zuora.invoice
    GROUP BY invoice_number
)
SELECT
    o."Id" AS subject_id,
    NOT coalesce(i.posted, false) AS failed,
    o.sf_account_id,
    o."Id" AS sf_opportunity_id,
    o."Invoice_Number__c" AS invoice_number,
    to_json({
        'salesforce': {
            'Id': o."Id",
            'StageName': o."StageName",
            'CloseDate': o."CloseDate",
            'Invoice_Number__c': o."Invoice_Number__c"
        },
        'zuora': {'statuses': coalesce(i.statuses, []), 'invoices': coalesce(i.invoices, [])}
    }) AS evidence
FROM staging.opportunities AS o
LEFT JOIN invoices AS i ON i.invoice_number = o."Invoice_Number__c"
CROSS JOIN audit.params AS p
WHERE o."StageName" = 'Closed Won'
AND o."CloseDate" <= p.as_of - p.closed_won_grace_days
AND o."Invoice_Number__c" IS NOT NULL
