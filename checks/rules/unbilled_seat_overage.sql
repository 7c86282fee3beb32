-- rule: unbilled_seat_overage
-- order: 15
-- category: sm_licensing
-- severity: medium
-- subject: subscription name
-- examines: paid SM subscriptions in force with a seat link
-- finding: paid SM subscription in force whose latest seat link (highest report_timestamp) has
--    max_historical_user_count > Seats(S) while TurnOnSeatReconciliation__c != 'Yes'
-- summary: Zuora {subscription_name} has {zuora[seats]} seats and TurnOnSeatReconciliation__c =
--    {zuora[TurnOnSeatReconciliation__c]}; its latest seat link reports {customersdot[max_historical_user_count]}
--    users at most
-- action: open a case with Sales: overage and QSR off
SELECT
    s.subscription_name AS subject_id,
    coalesce(l.max_historical_user_count > s.seats, false)
        AND s.seat_reconciliation IS DISTINCT FROM 'Yes' AS failed,
    finding_keys.* EXCLUDE (namespace_id) REPLACE (l.order_id::VARCHAR AS order_id),
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
FROM staging.subscription_subjects AS s
JOIN staging.latest_seat_links AS l ON l.zuora_subscription_name = s.subscription_name
WHERE s.paid AND s.in_force AND s.deployment = 'SM'
