-- closed_won_not_booked: billable Closed Won opportunity with no Zuora subscription naming it and no primary quote sent to Z-Billing for an existing subscription.
WITH quoted AS (
    SELECT DISTINCT staging.sf_id18(q."zqu__Opportunity__c") AS opportunity_key
    FROM raw_salesforce.zqu__quote__c AS q
    WHERE NOT coalesce(q."IsDeleted", false)
    AND coalesce(q."zqu__Primary__c", false)
    AND staging.text(q."zqu__Status__c") = 'Sent to Z-Billing'
    AND (
        staging.text(q."zqu__Subscription_Name__c") IN (SELECT staging.text("Name") FROM raw_zuora.subscription)
        OR staging.text(q."zqu__ZuoraSubscriptionID__c") IN (SELECT staging.text("Id") FROM raw_zuora.subscription)
    )
)
SELECT
    o."Id" AS subject_id,
    len(o.booked_on) = 0 AND q.opportunity_key IS NULL AS failed,
    o.sf_account_id,
    o."Id" AS sf_opportunity_id,
    o."Invoice_Number__c" AS invoice_number,
    to_json({
        'salesforce': {
            'Id': o."Id",
            'AccountId': o."AccountId",
            'StageName': o."StageName",
            'Type': o."Type",
            'CloseDate': o."CloseDate",
            'Amount': o."Amount",
            'Web_Portal_Purchase__c': o."Web_Portal_Purchase__c",
            'booking_quote': q.opportunity_key IS NOT NULL
        },
        'zuora': {'subscriptions': o.booked_on}
    }) AS evidence
FROM staging.opportunities AS o
LEFT JOIN quoted AS q ON q.opportunity_key = o.opportunity_key
CROSS JOIN audit.params AS p
WHERE o."StageName" = 'Closed Won'
AND o."Type" IN ('New Business', 'Add-On Business', 'Renewal')
AND NOT coalesce(o."Web_Portal_Purchase__c", false)
AND o."Amount" > 0
AND o."CloseDate" <= p.as_of - p.closed_won_grace_days
