-- rule: crm_account_link_broken
-- order: 16
-- category: crm
-- severity: medium
-- subject: Zuora account number
-- examines: Zuora accounts of paid subscriptions in force
-- finding: account of a paid subscription in force whose CrmId is empty or resolves to no existing (non-deleted)
--    Salesforce account
-- summary: Zuora account {zuora_account_number} has CrmId {zuora[CrmId]}; Salesforce has no live account
--    {salesforce[resolved_id]}
-- action: set the Salesforce account on the Zuora account (Billing Ops)
WITH accounts AS (
    SELECT
        a.account_number,
        any_value(a.crm_id) AS crm_id,
        any_value(a.sf_account_id) AS resolved_id,
        bool_and(a.crm_account_live) AS crm_account_live,
        min(s.billing_account_id) AS billing_account_id,
        list_sort(list_distinct(list(s.subscription_name))) AS subscriptions
    FROM staging.latest_subscriptions AS s
    JOIN staging.zuora_accounts AS a ON a.account_id = s.account_id
    WHERE s.paid AND s.in_force AND a.account_number IS NOT NULL
    GROUP BY a.account_number
)
SELECT
    a.account_number AS subject_id,
    NOT a.crm_account_live AS failed,
    a.account_number AS zuora_account_number,
    a.subscriptions[1] AS subscription_name,
    a.crm_id AS sf_account_id,
    a.billing_account_id::VARCHAR AS billing_account_id,
    to_json({
        'zuora': {
            'AccountNumber': a.account_number,
            'CrmId': a.crm_id,
            'subscriptions': a.subscriptions
        },
        'salesforce': {'resolved_id': a.resolved_id, 'exists_undeleted': a.crm_account_live}
    }) AS evidence
FROM accounts AS a
