-- rule: order_without_subscription
-- order: 2
-- category: provisioning
-- severity: high
-- subject: order id
-- examines: active orders
-- finding: active order whose subscription_name is no Zuora subscription
-- summary: CustomersDot order {order_id} is active for subscription {customersdot[subscription_name]}, which Zuora
--    does not have
-- action: find the subscription in Zuora, or end the order (entitlement without billing)
SELECT
    o.id::VARCHAR AS subject_id,
    NOT EXISTS (SELECT 1 FROM raw_zuora.subscription AS z WHERE staging.text(z."Name") = o.subscription_name) AS failed,
    b.account_number AS zuora_account_number,
    o.subscription_name,
    b.sf_account_id,
    o.id::VARCHAR AS order_id,
    o.billing_account_id::VARCHAR AS billing_account_id,
    o.gl_namespace_id AS namespace_id,
    to_json({
        'customersdot': o.order_evidence,
        'zuora': {'subscription': NULL, 'billing_account_zuora_account_id': b.zuora_account_id}
    }) AS evidence
FROM staging.active_orders AS o
LEFT JOIN staging.billing_accounts AS b ON b.billing_account_id = o.billing_account_id
