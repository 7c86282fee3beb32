-- rule: closed_won_not_booked
-- order: 18
-- category: crm
-- severity: high
-- subject: opportunity id
-- examines: Closed Won opportunities of type New Business, Add-On Business or Renewal, not web-portal purchases,
--    Amount > 0, closed at least closed_won_grace_days before D
-- finding: Closed Won opportunity with no Zuora subscription whose OpportunityId__c resolves to it and no primary
--    'Sent to Z-Billing' quote naming an existing Zuora subscription
-- summary: Salesforce opportunity {sf_opportunity_id} ({salesforce[Type]}, {salesforce[Amount]}) closed won on
--    {salesforce[CloseDate]}; Zuora has no subscription for it
-- action: book the quote in Zuora, or correct the opportunity link
-- setting closed_won_grace_days: 7
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
LEFT JOIN staging.booking_quotes AS q ON q.opportunity_key = o.opportunity_key
CROSS JOIN audit.params AS p
WHERE o."StageName" = 'Closed Won'
AND o."Type" IN ('New Business', 'Add-On Business', 'Renewal')
AND NOT coalesce(o."Web_Portal_Purchase__c", false)
AND o."Amount" > 0
AND o."CloseDate" <= p.as_of - p.closed_won_grace_days
