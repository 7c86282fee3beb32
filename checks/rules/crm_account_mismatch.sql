-- rule: crm_account_mismatch
-- order: 17
-- category: crm
-- severity: medium
-- subject: CustomersDot billing account id
-- examines: billing accounts with salesforce_account_id set whose Zuora account's CrmId resolves
-- finding: billing account whose salesforce_account_id is set and resolves to a different account than the CrmId of
--    its Zuora account
-- summary: CustomersDot billing account {billing_account_id} points at Salesforce account
--    {customersdot[resolved_id]}; Zuora account {zuora_account_number} points at {zuora[resolved_id]}
-- action: correct the billing account's Salesforce link (Sales Ops)
SELECT
    b.billing_account_id::VARCHAR AS subject_id,
    b.sf_account_key <> b.crm_account_key AS failed,
    b.account_number AS zuora_account_number,
    b.sf_account_id,
    b.billing_account_id::VARCHAR AS billing_account_id,
    to_json({
        'customersdot': {
            'billing_account_id': b.billing_account_id,
            'salesforce_account_id': b.salesforce_account_id,
            'resolved_id': b.sf_account_id
        },
        'zuora': {
            'AccountNumber': b.account_number,
            'CrmId': b.crm_id,
            'resolved_id': b.crm_sf_account_id
        }
    }) AS evidence
FROM staging.billing_accounts AS b
WHERE b.salesforce_account_id IS NOT NULL AND b.crm_account_live
