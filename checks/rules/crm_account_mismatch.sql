-- crm_account_mismatch: billing account whose salesforce_account_id resolves to another account than the (resolving) CrmId of its Zuora account.
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
