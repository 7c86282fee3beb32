-- unbilled_seat_overage: paid SM subscription in force whose latest seat link reports more users than Seats(S) while seat reconciliation is off.
SELECT
    s.subscription_name AS subject_id,
    coalesce(l.max_historical_user_count > s.seats, false)
        AND s.seat_reconciliation IS DISTINCT FROM 'Yes' AS failed,
    s.account_number AS zuora_account_number,
    s.subscription_name,
    s.sf_account_id,
    l.order_id::VARCHAR AS order_id,
    s.billing_account_id::VARCHAR AS billing_account_id,
    to_json({
        'zuora': struct_insert(
            s.zuora_evidence,
            TurnOnSeatReconciliation__c := s.seat_reconciliation
        ),
        'customersdot': {
            'seat_link_id': l.id,
            'report_timestamp': l.report_timestamp,
            'hostname': l.hostname,
            'active_user_count': l.active_user_count,
            'license_user_count': l.license_user_count,
            'max_historical_user_count': l.max_historical_user_count
        }
    }) AS evidence
FROM staging.latest_subscriptions AS s
JOIN staging.latest_seat_links AS l ON l.zuora_subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SM'
